package health.tim.headless;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback between a client and the homeserver, which a test switches between
 * forwarding, swallowing and refusing connections, or answering every request with an HTTP error
 * itself, to put network faults where it wants them. (Faults at the TCP level beyond these come
 * from Toxiproxy; see {@link Toxiproxy}.)
 */
final class FaultProxy implements AutoCloseable {
  /** What the proxy does with connections. */
  enum Mode {
    /** Forwards every byte both ways. */
    FORWARD,
    /** Accepts connections and reads from them, but forwards nothing and never answers. */
    SWALLOW,
    /** Accepts connections and closes them at once. */
    REFUSE,
    /** Answers every request with 503 Service Unavailable, as a server behind a balancer might. */
    ANSWER_503,
    /** Answers every request with 429 and Matrix's {@code M_LIMIT_EXCEEDED}, retry after 1 s. */
    ANSWER_429
  }

  private static final String ANSWER_503_TEXT =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
          + "Connection: close\r\n\r\nunavailable";
  private static final String LIMIT_EXCEEDED =
      "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\",\"retry_after_ms\":1000}";
  private static final String ANSWER_429_TEXT =
      "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: "
          + LIMIT_EXCEEDED.length()
          + "\r\nConnection: close\r\n\r\n"
          + LIMIT_EXCEEDED;

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.FORWARD;
  private final java.util.concurrent.atomic.AtomicInteger accepted =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Starts a proxy in front of the homeserver at {@code upstreamUrl} ({@code http} only). */
  FaultProxy(String upstreamUrl) {
    URI upstream = URI.create(upstreamUrl);
    this.upstreamHost = upstream.getHost();
    this.upstreamPort = upstream.getPort();
    try {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The URL clients use instead of the homeserver's. */
  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** How many connections the proxy has accepted so far. */
  int acceptedConnections() {
    return accepted.get();
  }

  /** Switches the mode; connections open so far are cut, so that the new mode applies to all. */
  void mode(Mode newMode) {
    mode = newMode;
    for (Socket socket : open) {
      closeQuietly(socket);
    }
  }

  @Override
  public void close() {
    closeQuietly(server);
    mode(Mode.REFUSE);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      switch (mode) {
        case REFUSE -> closeQuietly(client);
        case ANSWER_503 -> answer(client, ANSWER_503_TEXT);
        case ANSWER_429 -> answer(client, ANSWER_429_TEXT);
        case SWALLOW -> {
          open.add(client);
          pump(client, OutputStream.nullOutputStream(), client);
        }
        case FORWARD -> forward(client);
      }
    }
  }

  private void forward(Socket client) {
    Socket upstream;
    try {
      upstream = new Socket(upstreamHost, upstreamPort);
    } catch (IOException e) {
      closeQuietly(client);
      return;
    }
    open.add(client);
    open.add(upstream);
    try {
      pump(client, upstream.getOutputStream(), upstream);
      pump(upstream, client.getOutputStream(), client);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  /**
   * Reads one request's head and body, on a thread, then writes {@code response} and closes:
   * closing with unread input would reset the connection instead of answering.
   */
  private void answer(Socket client, String response) {
    open.add(client);
    Thread thread =
        new Thread(
            () -> {
              try {
                InputStream in = client.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                  int next = in.read();
                  if (next < 0) {
                    return;
                  }
                  head.append((char) next);
                }
                java.util.regex.Matcher length =
                    java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
                if (length.find()) {
                  in.readNBytes(Integer.parseInt(length.group(1)));
                }
                client.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
              } catch (IOException e) {
                // The client gave up first.
              } finally {
                closeQuietly(client);
                open.remove(client);
              }
            },
            "fault-proxy-answer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Copies from {@code from} to {@code to} on a thread; closes both ends when either ends. */
  private void pump(Socket from, OutputStream to, Socket peer) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                  to.write(buffer, 0, read);
                  to.flush();
                }
              } catch (IOException e) {
                // The connection ended or was cut; both ends are closed below.
              } finally {
                closeQuietly(from);
                closeQuietly(peer);
                open.remove(from);
                open.remove(peer);
              }
            },
            "fault-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Already closed.
    }
  }
}
