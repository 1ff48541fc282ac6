//! The Rust core of tim-headless as a benchmark peer: the same client logic that Java calls
//! through JNI, called directly, so that `./run bench` can tell what the Java layer costs.
//!
//! ```text
//! tim-bench-peer sender|receiver|calls <homeserver-url> <user-id> <room-id> <count>
//!                <in-flight> <store-directory> <sync-batch-window-ms>
//! ```
//!
//! It speaks the line protocol of `tests/bench/bench_protocol.py` on stdout; the password comes
//! from the environment variable `BENCH_PASSWORD`. Events are pulled and acknowledged the way the
//! Java delivery thread does it. The role `calls` times `count` calls of the core functions behind
//! `HeadlessClient.syncStatus()` and `session()`, five rounds each, for the comparison with JMH's
//! figures of the same calls through JNI; it ignores the room.

use std::{
    collections::BTreeMap,
    io::{BufRead, Write},
    path::PathBuf,
    process::exit,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use tim_headless_core::{
    block_on, network::NetworkConfig, product::IntegratingSystem, runtime, ClientConfig,
    ClientEvent, HeadlessClient, HomeserverLocation, OutgoingMessage, RateLimits, Secret,
};

const PREFIX: &str = "bench ";
const STORE_PASSPHRASE: &str = "benchmark store passphrase";
const RECEIVE_TIMEOUT: Duration = Duration::from_secs(600);
/// The highest limits the core accepts: the homeserver, not our misuse protection, sets the pace.
const HIGHEST_LIMITS: RateLimits = RateLimits {
    sends_per_second: *RateLimits::SENDS.end(),
    changes_per_second: *RateLimits::CHANGES.end(),
    reads_per_second: *RateLimits::READS.end(),
};

struct Arguments {
    role: String,
    homeserver: String,
    user: String,
    room: String,
    count: usize,
    in_flight: usize,
    store: PathBuf,
    batch_window: Duration,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(arguments) = parse(&args) else {
        eprintln!(
            "usage: tim-bench-peer sender|receiver|calls <homeserver> <user> <room> <count> \
             <in-flight> <store> <window-ms>"
        );
        exit(2);
    };
    let Ok(password) = std::env::var("BENCH_PASSWORD") else { fail("BENCH_PASSWORD is not set") };

    let client = block_on(open(&arguments)).unwrap_or_else(|error| fail(&error));
    block_on(client.login_password(&arguments.user, Secret::new(password), None))
        .unwrap_or_else(|error| fail(&format!("login: {error}")));
    client.start_sync().unwrap_or_else(|error| fail(&format!("sync: {error}")));
    await_first_sync(&client);

    match arguments.role.as_str() {
        "sender" => send(&client, &arguments),
        "receiver" => receive(&client, &arguments),
        _ => time_calls(&client, arguments.count),
    }
    block_on(client.close());
}

fn parse(args: &[String]) -> Option<Arguments> {
    let [role, homeserver, user, room, count, in_flight, store, window] = args else {
        return None;
    };
    if !["sender", "receiver", "calls"].contains(&role.as_str()) {
        return None;
    }
    Some(Arguments {
        role: role.clone(),
        homeserver: homeserver.clone(),
        user: user.clone(),
        room: room.clone(),
        count: count.parse().ok()?,
        in_flight: in_flight.parse().ok().filter(|n| *n > 0)?,
        store: PathBuf::from(store),
        batch_window: Duration::from_millis(window.parse().ok()?),
    })
}

async fn open(arguments: &Arguments) -> Result<Arc<HeadlessClient>, String> {
    let config = ClientConfig {
        homeserver: HomeserverLocation::Url(arguments.homeserver.clone()),
        store_dir: arguments.store.clone(),
        integrating_system: IntegratingSystem {
            name: "tim-headless benchmark".to_owned(),
            version: "1".to_owned(),
            vendor: None,
        },
        rate_limits: HIGHEST_LIMITS,
        network: NetworkConfig::default(),
        recovery_passphrase: None,
        decline_blocked_invites: true,
        directory_url: None,
        client_report_url: None,
        sync_batch_window: arguments.batch_window,
    };
    HeadlessClient::open(config, Secret::new(STORE_PASSPHRASE.to_owned()))
        .await
        .map_err(|error| format!("open: {error}"))
}

fn await_first_sync(client: &HeadlessClient) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while client.sync_health().last_success_millis.is_none() {
        if Instant::now() > deadline {
            fail("the first sync did not succeed within two minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(client: &Arc<HeadlessClient>, arguments: &Arguments) {
    say("READY");
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() || line.trim() != "GO" {
        fail("expected GO on stdin");
    }

    let started = now_millis();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..arguments.in_flight)
        .map(|_| {
            let (client, next, room) = (client.clone(), next.clone(), arguments.room.clone());
            let count = arguments.count;
            runtime().spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        return Ok::<(), tim_headless_core::CoreError>(());
                    }
                    let body = format!("{PREFIX}{index} {}", now_millis());
                    client.send_message(&room, &OutgoingMessage::text(body)).await?;
                }
            })
        })
        .collect();
    for worker in workers {
        match block_on(worker) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => fail(&format!("a send failed: {error}")),
            Err(_) => fail("a send task panicked"),
        }
    }
    say(&format!("RESULT {{\"started_ms\":{started},\"finished_ms\":{}}}", now_millis()));
}

fn receive(client: &Arc<HeadlessClient>, arguments: &Arguments) {
    let cpu_at_ready = cpu_seconds();
    say("READY");

    let deadline = Instant::now() + RECEIVE_TIMEOUT;
    let mut latencies = BTreeMap::new();
    let mut last_received = 0;
    while latencies.len() < arguments.count {
        if Instant::now() > deadline {
            fail(&format!("only {} of {} messages arrived", latencies.len(), arguments.count));
        }
        let events = block_on(client.next_events(Duration::from_millis(500), 256))
            .unwrap_or_else(|error| fail(&format!("events: {error}")));
        let Some((last_sequence, _)) = events.last() else { continue };
        let last_sequence = *last_sequence;
        for (_, event) in events {
            let ClientEvent::Message(message) = event else { continue };
            let received = now_millis();
            if let Some((index, sent)) = parse_body(&message.body) {
                if latencies.insert(index, received.saturating_sub(sent)).is_none() {
                    last_received = received;
                }
            }
        }
        client.acknowledge_events(last_sequence).unwrap_or_else(|error| fail(&error.to_string()));
    }

    let cpu = cpu_seconds() - cpu_at_ready;
    let values: Vec<String> = latencies.values().map(u64::to_string).collect();
    say(&format!(
        "RESULT {{\"received\":{},\"cpu_seconds\":{cpu:.4},\"latencies_ms\":[{}],\
         \"last_received_ms\":{last_received}}}",
        latencies.len(),
        values.join(",")
    ));
}

/// Nanoseconds per call, one figure per round, for the two calls JMH measures through JNI.
fn time_calls(client: &Arc<HeadlessClient>, calls: usize) {
    const ROUNDS: usize = 5;
    let mut sync_status = Vec::with_capacity(ROUNDS);
    let mut session = Vec::with_capacity(ROUNDS);
    // One round first, unmeasured, as JMH warms up.
    for round in 0..=ROUNDS {
        let started = Instant::now();
        for _ in 0..calls {
            std::hint::black_box((client.is_syncing(), client.sync_health()));
        }
        let status_ns = started.elapsed().as_nanos() as f64 / calls as f64;
        let started = Instant::now();
        for _ in 0..calls {
            let _ = std::hint::black_box(client.session());
        }
        let session_ns = started.elapsed().as_nanos() as f64 / calls as f64;
        if round > 0 {
            sync_status.push(format!("{status_ns:.1}"));
            session.push(format!("{session_ns:.1}"));
        }
    }
    say(&format!(
        "RESULT {{\"sync_status_ns\":[{}],\"session_ns\":[{}]}}",
        sync_status.join(","),
        session.join(",")
    ));
}

fn parse_body(body: &str) -> Option<(u64, u64)> {
    let mut parts = body.strip_prefix(PREFIX)?.split(' ');
    let index = parts.next()?.parse().ok()?;
    let sent = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((index, sent))
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
}

/// User plus system CPU time of this process, every thread included.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we own and reads nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |time: libc::timeval| time.tv_sec as f64 + time.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed stdout means the orchestrator is gone; there is nobody left to tell.
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

fn fail(text: &str) -> ! {
    say(&format!("ERROR {}", text.replace('\n', " ")));
    exit(1);
}
