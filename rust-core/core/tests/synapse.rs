//! The core against a real Synapse: log in, encrypted room, a message decrypted by a second
//! account, a session restored from the store, and no message body in clear on disk.
//!
//! `./run test` starts the homeserver and sets `TIM_TEST_HOMESERVER_URL` and
//! `TIM_TEST_REGISTRATION_SECRET`; without them these tests fail with a message saying so.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::{atomic::AtomicU32, atomic::Ordering, Arc},
    time::{Duration, Instant},
};

use hmac::{Hmac, Mac};
use sha1::Sha1;
use tim_headless_core::network::NetworkConfig;
use tim_headless_core::product::IntegratingSystem;
use tim_headless_core::{
    block_on, ClientConfig, ClientEvent, CoreError, DefaultSetting, HeadlessClient,
    HomeserverLocation, MessageEvent, OutgoingMessage, PermissionConfig, RateLimits, RoomKind,
    RoomOptions, Secret, DEFAULT_SYNC_BATCH_WINDOW,
};

const STORE_PASSPHRASE: &str = "test store passphrase";
const WAIT: Duration = Duration::from_secs(30);

struct Homeserver {
    url: String,
    secret: String,
}

fn homeserver() -> Homeserver {
    let missing = "run the tests through `./run test`, which starts Synapse and sets \
                   TIM_TEST_HOMESERVER_URL and TIM_TEST_REGISTRATION_SECRET";
    Homeserver {
        url: std::env::var("TIM_TEST_HOMESERVER_URL")
            .ok()
            .filter(|v| !v.is_empty())
            .expect(missing),
        secret: std::env::var("TIM_TEST_REGISTRATION_SECRET")
            .ok()
            .filter(|v| !v.is_empty())
            .expect(missing),
    }
}

/// One server of the Fachdienst set that `./run test` starts (`fd1`, `fd2`), with its server
/// name.
fn fachdienst(key: &str) -> (Homeserver, String) {
    let variable = |suffix: &str| {
        let name = format!("TIM_{}_{suffix}", key.to_uppercase());
        std::env::var(&name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
            panic!("run the tests through `./run test`, which starts the Fachdienst set and sets {name}")
        })
    };
    (Homeserver { url: variable("URL"), secret: variable("SECRET") }, variable("SERVER_NAME"))
}

/// Registers a fresh user through Synapse's shared-secret admin API; returns (user ID, password).
async fn register(server: &Homeserver, prefix: &str) -> (String, String) {
    register_as(server, prefix, false).await
}

async fn register_as(server: &Homeserver, prefix: &str, admin: bool) -> (String, String) {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let localpart = format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        Instant::now().elapsed().subsec_nanos()
    );
    let password = format!("pw-{localpart}");
    let http = matrix_sdk::reqwest::Client::new();
    let endpoint = format!("{}/_synapse/admin/v1/register", server.url);

    let nonce = http.get(&endpoint).send().await.expect("nonce").bytes().await.expect("nonce");
    let nonce: serde_json::Value = serde_json::from_slice(&nonce).expect("nonce json");
    let nonce = nonce["nonce"].as_str().expect("nonce field").to_owned();

    let mut mac = Hmac::<Sha1>::new_from_slice(server.secret.as_bytes()).expect("hmac key");
    let role = if admin { "admin" } else { "notadmin" };
    mac.update(format!("{nonce}\0{localpart}\0{password}\0{role}").as_bytes());
    let mac: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();

    let body = serde_json::json!({
        "nonce": nonce, "username": localpart, "password": password, "admin": admin, "mac": mac,
    });
    let response = http
        .post(&endpoint)
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&body).expect("json"))
        .send()
        .await
        .expect("register");
    assert!(response.status().is_success(), "registration failed: {}", response.status());
    let registered = response.bytes().await.expect("register answer");
    let registered: serde_json::Value = serde_json::from_slice(&registered).expect("json");
    (registered["user_id"].as_str().expect("user_id").to_owned(), password)
}

fn scratch_store(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tim-core-it-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn config(server: &Homeserver, store: &Path) -> ClientConfig {
    ClientConfig {
        homeserver: HomeserverLocation::Url(server.url.clone()),
        store_dir: store.to_owned(),
        integrating_system: IntegratingSystem {
            name: "tim-headless core tests".to_owned(),
            version: "1".to_owned(),
            vendor: None,
        },
        network: NetworkConfig::default(),
        recovery_passphrase: None,
        decline_blocked_invites: true,
        directory_url: None,
        client_report_url: None,
        rate_limits: RateLimits::DEFAULT,
        sync_batch_window: DEFAULT_SYNC_BATCH_WINDOW,
    }
}

async fn open(server: &Homeserver, store: &Path) -> Arc<HeadlessClient> {
    HeadlessClient::open(config(server, store), Secret::new(STORE_PASSPHRASE.to_owned()))
        .await
        .expect("open client")
}

async fn logged_in(
    server: &Homeserver,
    store: &Path,
    prefix: &str,
) -> (Arc<HeadlessClient>, String) {
    let (user_id, password) = register(server, prefix).await;
    let client = open(server, store).await;
    let session =
        client.login_password(&user_id, Secret::new(password), None).await.expect("login");
    assert_eq!(session.user_id, user_id);
    (client, user_id)
}

/// Waits for the first event that `pick` accepts.
async fn wait_for<T>(client: &HeadlessClient, mut pick: impl FnMut(ClientEvent) -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        for (sequence, event) in
            client.next_events(Duration::from_millis(500), 64).await.expect("events")
        {
            client.acknowledge_events(sequence).expect("acknowledge");
            if let Some(found) = pick(event) {
                return found;
            }
        }
    }
    panic!("the expected event did not arrive within {WAIT:?}");
}

fn private_room_with(invitee: &str) -> RoomOptions {
    RoomOptions {
        kind: RoomKind::Private,
        encrypted: true,
        name: None,
        topic: None,
        invitee: Some(invitee.to_owned()),
        room_version: None,
    }
}

/// Alice creates an encrypted room with Bob, Bob joins, and the two are ready to talk.
async fn room_between(alice: &HeadlessClient, bob: &HeadlessClient, bob_id: &str) -> String {
    let room_id = alice.create_room(private_room_with(bob_id)).await.expect("create room");
    let invited = wait_for(bob, |event| match event {
        ClientEvent::Invite(invite) if invite.room_id == room_id => Some(invite.room_id),
        _ => None,
    })
    .await;
    bob.join_room(&invited).await.expect("join");
    room_id
}

async fn receive_message(client: &HeadlessClient, room_id: &str, body: &str) -> MessageEvent {
    wait_for(client, |event| match event {
        ClientEvent::Message(message)
            if message.meta.room_id == room_id && message.body == body =>
        {
            Some(message)
        }
        _ => None,
    })
    .await
}

#[test]
fn an_encrypted_message_reaches_the_second_account_decrypted() {
    block_on(async {
        // Given two logged-in, syncing accounts in an encrypted room
        let server = homeserver();
        let (alice_store, bob_store) = (scratch_store("e2e-alice"), scratch_store("e2e-bob"));
        let (alice, alice_id) = logged_in(&server, &alice_store, "alice").await;
        let (bob, bob_id) = logged_in(&server, &bob_store, "bob").await;
        alice.start_sync().expect("alice sync");
        bob.start_sync().expect("bob sync");
        let room_id = room_between(&alice, &bob, &bob_id).await;

        // When Alice sends a message
        let body = "Befund für Patientin 4711 liegt vor";
        let event_id =
            alice.send_message(&room_id, &OutgoingMessage::text(body)).await.expect("send");

        // Then Bob receives it decrypted, from Alice, marked as encrypted
        let received = receive_message(&bob, &room_id, body).await;
        assert_eq!(received.meta.event_id, event_id);
        assert_eq!(received.meta.sender, alice_id);
        assert_eq!(received.message_type, "m.text");
        assert!(received.meta.encrypted, "the message must have arrived encrypted");

        // And neither store holds the body in clear
        alice.close().await;
        bob.close().await;
        for store in [&alice_store, &bob_store] {
            assert_no_file_contains(store, body.as_bytes());
        }
        let _ = fs::remove_dir_all(&alice_store);
        let _ = fs::remove_dir_all(&bob_store);
    });
}

/// The room's state events as Synapse's admin API reports them.
async fn room_state(server: &Homeserver, room_id: &str) -> Vec<serde_json::Value> {
    let (admin, password) = register_as(server, "admin", true).await;
    let http = matrix_sdk::reqwest::Client::new();
    let login = serde_json::json!({
        "type": "m.login.password",
        "identifier": { "type": "m.id.user", "user": admin },
        "password": password,
    });
    let answer = http
        .post(format!("{}/_matrix/client/v3/login", server.url))
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&login).expect("json"))
        .send()
        .await
        .expect("admin login");
    let answer: serde_json::Value =
        serde_json::from_slice(&answer.bytes().await.expect("login answer")).expect("json");
    let token = answer["access_token"].as_str().expect("access token").to_owned();

    let state = http
        .get(format!("{}/_synapse/admin/v1/rooms/{room_id}/state", server.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("room state");
    let state: serde_json::Value =
        serde_json::from_slice(&state.bytes().await.expect("state answer")).expect("json");
    state["state"].as_array().expect("state list").clone()
}

fn state_content<'a>(state: &'a [serde_json::Value], event_type: &str) -> &'a serde_json::Value {
    let event = state
        .iter()
        .find(|event| event["type"] == event_type && event["state_key"] == "")
        .unwrap_or_else(|| panic!("the room has no {event_type} state event"));
    &event["content"]
}

#[test]
fn new_rooms_follow_the_tim_conventions_for_a_default_room() {
    block_on(async {
        let server = homeserver();
        let store = scratch_store("tim-room");
        let (alice, _) = logged_in(&server, &store, "alice").await;
        let (bob_id, _) = register(&server, "bob").await;

        let room_id = alice.create_room(private_room_with(&bob_id)).await.expect("create room");
        let state = room_state(&server, &room_id).await;

        let create = state_content(&state, "m.room.create");
        assert_eq!(create["type"], "de.gematik.tim.roomtype.default.v1");
        assert_eq!(create["room_version"], "10");
        assert_eq!(*state_content(&state, "de.gematik.tim.room.default.v1"), serde_json::json!({}));
        assert_eq!(state_content(&state, "m.room.join_rules")["join_rule"], "invite");
        let visibility = &state_content(&state, "m.room.history_visibility")["history_visibility"];
        assert_eq!(visibility, "invited");
        let algorithm = &state_content(&state, "m.room.encryption")["algorithm"];
        assert_eq!(algorithm, "m.megolm.v1.aes-sha2");
        let invited = state.iter().any(|event| {
            event["type"] == "m.room.member"
                && event["state_key"] == bob_id.as_str()
                && event["content"]["membership"] == "invite"
        });
        assert!(invited, "the invitee must be invited");

        alice.close().await;
        let _ = fs::remove_dir_all(&store);
    });
}

#[test]
fn a_session_is_restored_from_the_store_without_logging_in() {
    block_on(async {
        // Given a client that logged in, talked, and was dropped
        let server = homeserver();
        let (alice_store, bob_store) =
            (scratch_store("restore-alice"), scratch_store("restore-bob"));
        let (alice, _) = logged_in(&server, &alice_store, "alice").await;
        let (bob, bob_id) = logged_in(&server, &bob_store, "bob").await;
        alice.start_sync().expect("alice sync");
        bob.start_sync().expect("bob sync");
        let room_id = room_between(&alice, &bob, &bob_id).await;
        let device_before = alice.session().expect("session").expect("logged in").device_id;
        alice.close().await;
        drop(alice);

        // When a new client opens the same store
        let restored = open(&server, &alice_store).await;

        // Then it is logged in as the same device and can send into the room it knew
        let session = restored.session().expect("session").expect("restored");
        assert_eq!(session.device_id, device_before);
        restored.start_sync().expect("sync after restore");
        let body = "nach dem Neustart";
        restored
            .send_message(&room_id, &OutgoingMessage::text(body))
            .await
            .expect("send after restore");
        let received = receive_message(&bob, &room_id, body).await;
        assert!(received.meta.encrypted);

        restored.close().await;
        bob.close().await;
        let _ = fs::remove_dir_all(&alice_store);
        let _ = fs::remove_dir_all(&bob_store);
    });
}

#[test]
fn a_wrong_passphrase_opens_nothing_and_a_logout_forgets_the_session() {
    block_on(async {
        let server = homeserver();
        let store = scratch_store("passphrase");
        let (client, _) = logged_in(&server, &store, "carol").await;
        client.close().await;
        drop(client);

        let wrong =
            HeadlessClient::open(config(&server, &store), Secret::new("wrong".to_owned())).await;
        assert!(matches!(wrong, Err(CoreError::WrongPassphrase)), "{:?}", wrong.err());

        let reopened = open(&server, &store).await;
        assert!(reopened.session().expect("session").is_some());
        reopened.logout().await.expect("logout");
        assert!(reopened.session().expect("session").is_none());
        reopened.close().await;
        drop(reopened);

        let after_logout = open(&server, &store).await;
        assert!(after_logout.session().expect("session").is_none());
        after_logout.close().await;
        let _ = fs::remove_dir_all(&store);
    });
}

#[test]
fn a_wrong_password_is_an_authentication_failure_and_the_client_stays_usable() {
    block_on(async {
        let server = homeserver();
        let store = scratch_store("password");
        let (user_id, password) = register(&server, "dave").await;
        let client = open(&server, &store).await;

        let refused = client.login_password(&user_id, Secret::new("not it".to_owned()), None).await;
        assert!(matches!(refused, Err(CoreError::AuthenticationFailed)), "{:?}", refused.err());

        let session =
            client.login_password(&user_id, Secret::new(password), None).await.expect("login");
        assert_eq!(session.user_id, user_id);
        client.close().await;
        let _ = fs::remove_dir_all(&store);
    });
}

fn assert_no_file_contains(dir: &Path, needle: &[u8]) {
    let mut scanned = 0;
    for entry in walk(dir) {
        let bytes = fs::read(&entry).expect("read store file");
        assert!(
            !bytes.windows(needle.len()).any(|window| window == needle),
            "{} contains the message body in clear",
            entry.display()
        );
        scanned += 1;
    }
    assert!(scanned >= 3, "expected the store's files, found {scanned}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("read store dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_core_meets_the_fachdienst_rules_across_two_servers() {
    block_on(async {
        let (fd1, _) = fachdienst("fd1");
        let (fd2, fd2_name) = fachdienst("fd2");
        let alice_store = scratch_store("fd-alice");
        let bob_store = scratch_store("fd-bob");
        let (alice, _) = logged_in(&fd1, &alice_store, "alice").await;
        let (bob, bob_id) = logged_in(&fd2, &bob_store, "bob").await;

        // fd2 is on the stand-in federation list as an insurer
        assert!(alice.is_insurance(&fd2_name).await.expect("isInsurance"));

        // When Bob on fd2 blocks everybody, Alice's room with him on fd1 is refused with 403
        let block_all = PermissionConfig {
            default_setting: DefaultSetting::BlockAll,
            user_exceptions: Default::default(),
            server_exceptions: Default::default(),
            group_exceptions: Default::default(),
        };
        bob.set_permission_config(&block_all).await.expect("permission config");
        match alice.create_room(private_room_with(&bob_id)).await {
            Err(CoreError::InviteRefused { status, .. }) => assert_eq!(status, 403),
            other => panic!("expected a refused invitation, got {other:?}"),
        }

        // And a request for room version 11 never leaves the client
        let mut version_11 = private_room_with(&bob_id);
        version_11.room_version = Some("11".to_owned());
        assert!(matches!(
            alice.create_room(version_11).await,
            Err(CoreError::InvalidArgument { .. })
        ));

        alice.close().await;
        bob.close().await;
        let _ = fs::remove_dir_all(&alice_store);
        let _ = fs::remove_dir_all(&bob_store);
    });
}
