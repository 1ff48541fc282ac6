package health.tim.headless;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback between a client and the homeserver, which a test switches between
 * forwarding, swallowing and refusing connections, to put network faults where it wants them.
 */
final class FaultProxy implements AutoCloseable {
  /** What the proxy does with connections. */
  enum Mode {
    /** Forwards every byte both ways. */
    FORWARD,
    /** Accepts connections and reads from them, but forwards nothing and never answers. */
    SWALLOW,
    /** Accepts connections and closes them at once. */
    REFUSE
  }

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.FORWARD;

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
      switch (mode) {
        case REFUSE -> closeQuietly(client);
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
