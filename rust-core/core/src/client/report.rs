//! The structured-data client report (gematik's `TIMessengerClientReport`): how many structured
//! data events of each "Fachverfahren" (procedure) the client sent and received since the last
//! report that the Fachdienst accepted. The counts are kept in the encrypted store, so that a
//! restart loses none; a report that was not accepted leaves them as they are.
//!
//! A procedure is read off the event: a `de.gematik.fhir` event names it in its
//! `de.gematik.fhir.structure_definition` (`url`, `version`); any other structured-data event
//! type (Java package naming, not `m.` and not TI-M's own room types) is the procedure itself,
//! with a trailing `.v<N>` segment as its version.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

use super::HeadlessClient;
use crate::clock::{iso8601_utc, now_millis};
use crate::store::OpenedStore;
use crate::{validate, CoreError, CoreResult};

const REPORT_RECORD: &str = "client-report.bin";
const REPORT_TIMEOUT: Duration = Duration::from_secs(30);
const FHIR_EVENT: &str = "de.gematik.fhir";

/// One procedure and version with its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureCount {
    /// The procedure (`Fachverfahren`), such as `de.gematik.questionnaire.generic`.
    pub procedure: String,
    /// Its version, such as `v1`; empty when the event names none.
    pub version: String,
    /// Events since the last accepted report.
    pub count: u64,
}

/// What the next report would say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientReport {
    /// When the counting began, in milliseconds since the Unix epoch.
    pub start_millis: u64,
    /// Structured-data events sent.
    pub sent: Vec<ProcedureCount>,
    /// Structured-data events received.
    pub received: Vec<ProcedureCount>,
}

#[derive(Clone, Default, Serialize, Deserialize)]
struct Counts {
    start_millis: u64,
    // Keyed by procedure and version, joined with a NUL (JSON maps need string keys).
    sent: BTreeMap<String, u64>,
    received: BTreeMap<String, u64>,
}

/// The counts of one client and where reports go.
pub(crate) struct Reporting {
    url: Option<Url>,
    counts: Mutex<Counts>,
}

impl Reporting {
    pub(crate) fn load(store: &OpenedStore, url: Option<&str>) -> CoreResult<Self> {
        let url = url.map(|url| validate::homeserver_url("clientReportUrl", url)).transpose()?;
        let mut counts: Counts = store.load_record(REPORT_RECORD)?.unwrap_or_default();
        if counts.start_millis == 0 {
            counts.start_millis = now_millis();
        }
        Ok(Self { url, counts: Mutex::new(counts) })
    }

    fn count(&self, store: &OpenedStore, sent: bool, event_type: &str, content_json: &str) {
        let Some((procedure, version)) = procedure_of(event_type, content_json) else { return };
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let side = if sent { &mut counts.sent } else { &mut counts.received };
        *side.entry(format!("{procedure}\0{version}")).or_default() += 1;
        if store.save_record(REPORT_RECORD, &*counts).is_err() {
            tracing::warn!("the client report's counts could not be saved");
        }
    }
}

impl HeadlessClient {
    /// Counts an event this client sent, if it is structured data.
    pub(super) fn count_sent(&self, event_type: &str, content_json: &str) {
        self.reporting.count(&self.store, true, event_type, content_json);
    }

    /// Counts an event handed to the integrating system, if it is structured data.
    pub(super) fn count_received(&self, event_type: &str, content_json: &str) {
        self.reporting.count(&self.store, false, event_type, content_json);
    }

    /// The counts the next report would carry.
    pub fn client_report(&self) -> ClientReport {
        let counts = self.reporting.counts.lock().unwrap_or_else(PoisonError::into_inner);
        snapshot(&counts)
    }

    /// Sends the report to the configured endpoint with the access token, and starts counting
    /// anew once it was accepted (counts that arrived meanwhile are kept). Returns `false`
    /// without a request when there is nothing to report.
    ///
    /// # Errors
    /// [`CoreError::NotConfigured`] without an endpoint, [`CoreError::Homeserver`] with the
    /// endpoint's status when it refuses, [`CoreError::Network`], [`CoreError::NotLoggedIn`],
    /// [`CoreError::StoreUnusable`] when the reset counts cannot be saved.
    pub async fn send_client_report(&self) -> CoreResult<bool> {
        let url = self.reporting.url.clone().ok_or(CoreError::NotConfigured("clientReportUrl"))?;
        self.guarded(async {
            let engine = self.logged_in_engine()?;
            let token = engine.access_token().ok_or(CoreError::NotLoggedIn)?;
            let reported =
                self.reporting.counts.lock().unwrap_or_else(PoisonError::into_inner).clone();
            if reported.sent.is_empty() && reported.received.is_empty() {
                return Ok(false);
            }

            let response = self
                .network
                .client()
                .post(url)
                .timeout(REPORT_TIMEOUT)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(report_json(&snapshot(&reported)).to_string())
                .send()
                .await
                .map_err(|_| CoreError::Network)?;
            if !response.status().is_success() {
                return Err(CoreError::Homeserver {
                    status: response.status().as_u16(),
                    errcode: "CLIENT_REPORT_REFUSED".to_owned(),
                });
            }

            let mut counts = self.reporting.counts.lock().unwrap_or_else(PoisonError::into_inner);
            subtract(&mut counts.sent, &reported.sent);
            subtract(&mut counts.received, &reported.received);
            counts.start_millis = now_millis();
            self.store.save_record(REPORT_RECORD, &*counts)?;
            Ok(true)
        })
        .await
    }
}

fn subtract(counts: &mut BTreeMap<String, u64>, reported: &BTreeMap<String, u64>) {
    for (key, done) in reported {
        if let Some(count) = counts.get_mut(key) {
            *count = count.saturating_sub(*done);
            if *count == 0 {
                counts.remove(key);
            }
        }
    }
}

fn snapshot(counts: &Counts) -> ClientReport {
    let list = |side: &BTreeMap<String, u64>| -> Vec<ProcedureCount> {
        side.iter()
            .map(|(key, count)| {
                let (procedure, version) = key.split_once('\0').unwrap_or((key, ""));
                ProcedureCount {
                    procedure: procedure.to_owned(),
                    version: version.to_owned(),
                    count: *count,
                }
            })
            .collect()
    };
    ClientReport {
        start_millis: counts.start_millis,
        sent: list(&counts.sent),
        received: list(&counts.received),
    }
}

/// The report in the schema of `TIMessengerClientReport.yaml`; an empty side is left out, as
/// the schema wants at least one entry in each array given.
fn report_json(report: &ClientReport) -> Value {
    let entries = |counts: &[ProcedureCount]| -> Vec<Value> {
        counts
            .iter()
            .map(|c| json!({ "Fachverfahren": c.procedure, "Version": c.version, "Anzahl": c.count }))
            .collect()
    };
    let start = iso8601_utc(report.start_millis);
    let mut body = json!({ "start": start });
    if !report.sent.is_empty() {
        body["sent"] = Value::Array(entries(&report.sent));
    }
    if !report.received.is_empty() {
        body["received"] = Value::Array(entries(&report.received));
    }
    body
}

/// The procedure and version a structured-data event counts for; `None` for other events.
fn procedure_of(event_type: &str, content_json: &str) -> Option<(String, String)> {
    if event_type.starts_with("m.") || event_type.starts_with("de.gematik.tim.") {
        return None;
    }
    if event_type == FHIR_EVENT {
        let content: Value = serde_json::from_str(content_json).ok()?;
        let definition = content.get("de.gematik.fhir.structure_definition");
        let url = definition.and_then(|d| d.get("url")).and_then(Value::as_str);
        let version = definition.and_then(|d| d.get("version")).and_then(Value::as_str);
        return Some((url.unwrap_or(FHIR_EVENT).to_owned(), version.unwrap_or("").to_owned()));
    }
    match event_type.rsplit_once('.') {
        Some((procedure, version))
            if version.len() > 1
                && version.starts_with('v')
                && version[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some((procedure.to_owned(), version.to_owned()))
        }
        _ => Some((event_type.to_owned(), String::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedures_are_read_off_the_event() {
        assert_eq!(
            procedure_of("de.gematik.questionnaire.generic.v1", "{}"),
            Some(("de.gematik.questionnaire.generic".into(), "v1".into()))
        );
        assert_eq!(
            procedure_of("de.wald-krankenhaus.notfalleinsatzprotokoll", "{}"),
            Some(("de.wald-krankenhaus.notfalleinsatzprotokoll".into(), String::new()))
        );
        let fhir = r#"{"de.gematik.fhir.structure_definition":
            {"url": "https://gematik.de/fhir/Befund", "version": "1.2"}}"#;
        assert_eq!(
            procedure_of("de.gematik.fhir", fhir),
            Some(("https://gematik.de/fhir/Befund".into(), "1.2".into()))
        );
        assert_eq!(procedure_of("m.room.message", "{}"), None);
        assert_eq!(procedure_of("de.gematik.tim.room.default.v1", "{}"), None);
    }

    #[test]
    fn the_report_follows_the_schema_and_leaves_an_empty_side_out() {
        let report = ClientReport {
            start_millis: 1_774_268_003_183,
            sent: vec![ProcedureCount { procedure: "a.b".into(), version: "v1".into(), count: 8 }],
            received: Vec::new(),
        };
        let body = report_json(&report);
        assert_eq!(body["start"], "2026-03-23T12:13:23.183Z");
        assert_eq!(body["sent"][0], json!({"Fachverfahren": "a.b", "Version": "v1", "Anzahl": 8}));
        assert!(body.get("received").is_none());
    }

    #[test]
    fn an_accepted_report_subtracts_what_it_carried() {
        let mut counts = BTreeMap::from([("a\0v1".to_owned(), 5), ("b\0".to_owned(), 2)]);
        subtract(&mut counts, &BTreeMap::from([("a\0v1".to_owned(), 3), ("b\0".to_owned(), 2)]));
        assert_eq!(counts, BTreeMap::from([("a\0v1".to_owned(), 2)]));
    }
}
