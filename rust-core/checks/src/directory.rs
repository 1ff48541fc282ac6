//! The VZD-FHIR-Directory's side of the directory search, without the HTTP: the search
//! parameters a query becomes (checked like every parameter), the entries of a FHIR search bundle,
//! and the expiry of the search token. The answers come from a server, so they are parsed with
//! no trust: anything missing or malformed leaves an entry out rather than failing the search.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ruma_common::serde::base64::{Base64, UrlSafe};
use serde_json::Value;

use crate::{
    validate::{self, CheckResult},
    Invalid,
};

/// At most this many results per search.
pub const MAX_DIRECTORY_RESULTS: u32 = 100;

const TELEMATIK_ID_SYSTEM: &str = "https://gematik.de/fhir/sid/telematik-id";

/// Which resources to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryKind {
    /// People: `PractitionerRole` with its `Practitioner`.
    Practitioner,
    /// Organisations' services: `HealthcareService` with its `Organization`.
    HealthcareService,
}

/// What to search for; every given field must match, and at least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Part of the practitioner's or the service's name.
    pub name: Option<String>,
    /// The city of the address.
    pub city: Option<String>,
    /// The postal code of the address.
    pub postal_code: Option<String>,
    /// A Matrix user ID that one of the entry's endpoints has.
    pub matrix_id: Option<String>,
    /// At most this many results, 1 to [`MAX_DIRECTORY_RESULTS`].
    pub limit: u32,
}

/// A postal address of a directory entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryAddress {
    /// Street lines.
    pub lines: Vec<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
}

/// One entry found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// What kind of entry.
    pub kind: DirectoryKind,
    /// The FHIR resource ID of the `PractitionerRole` or `HealthcareService`.
    pub resource_id: String,
    /// The practitioner's or the service's name.
    pub name: String,
    /// The organisation's name.
    pub organization: Option<String>,
    /// The Telematik-ID of the practitioner, or of the organisation for a service.
    pub telematik_id: Option<String>,
    /// The first address.
    pub address: Option<DirectoryAddress>,
    /// The Matrix user IDs of the entry's active endpoints.
    pub matrix_ids: Vec<String>,
}

/// The `exp` claim of a JWT, read without checking its signature: only for knowing when to
/// renew it; the directory checks it.
pub fn token_expiry(token: &str) -> Option<SystemTime> {
    let payload = token.split('.').nth(1)?;
    let decoded = Base64::<UrlSafe, Vec<u8>>::parse(payload).ok()?;
    let claims: Value = serde_json::from_slice(decoded.as_bytes()).ok()?;
    let seconds = claims.get("exp")?.as_u64()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// The FHIR search parameters of a query: its criteria, checked like every parameter, and the
/// filters every search has (active entries and endpoints, included references, the limit).
///
/// # Errors
/// [`Invalid`] naming the criterion that is malformed, the limit out of range, or `query` when
/// no criterion is given.
pub fn search_parameters(
    kind: DirectoryKind,
    query: &DirectoryQuery,
) -> CheckResult<Vec<(&'static str, String)>> {
    if query.limit == 0 || query.limit > MAX_DIRECTORY_RESULTS {
        return Err(Invalid::new("limit", "must be between 1 and 100"));
    }
    let mut parameters = Vec::new();
    let name_parameter = match kind {
        DirectoryKind::Practitioner => "practitioner.name",
        DirectoryKind::HealthcareService => "name",
    };
    if let Some(name) = &query.name {
        validate::bounded_label("name", name, 256)?;
        parameters.push((name_parameter, name.trim().to_owned()));
    }
    if let Some(city) = &query.city {
        validate::bounded_label("city", city, 128)?;
        parameters.push(("location.address-city", city.trim().to_owned()));
    }
    if let Some(code) = &query.postal_code {
        if code.is_empty() || code.len() > 10 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Invalid::new("postalCode", "must be 1 to 10 letters or digits"));
        }
        parameters.push(("location.address-postalcode", code.clone()));
    }
    if let Some(matrix_id) = &query.matrix_id {
        let user = validate::user_id("matrixId", matrix_id)?;
        parameters.push(("endpoint.address", format!("matrix:u/{}", &user.as_str()[1..])));
    }
    if parameters.is_empty() {
        return Err(Invalid::new("query", "needs a name, an address or a Matrix ID"));
    }
    let active = match kind {
        DirectoryKind::Practitioner => "practitioner.active",
        DirectoryKind::HealthcareService => "organization.active",
    };
    parameters.push((active, "true".to_owned()));
    parameters.push(("endpoint.status", "active".to_owned()));
    parameters.push(("_include", "*".to_owned()));
    parameters.push(("_count", query.limit.to_string()));
    Ok(parameters)
}

/// The entries of a search bundle: its `match` resources, with what they reference resolved
/// among the bundle's `include` resources.
pub fn entries(kind: DirectoryKind, bundle: &Value) -> Vec<DirectoryEntry> {
    let resources: Vec<(&Value, bool)> = bundle
        .get("entry")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    let resource = entry.get("resource")?;
                    let mode = entry.pointer("/search/mode").and_then(Value::as_str);
                    Some((resource, mode != Some("include")))
                })
                .collect()
        })
        .unwrap_or_default();
    let by_reference: HashMap<String, &Value> = resources
        .iter()
        .filter_map(|(resource, _)| Some((reference_of(resource)?, *resource)))
        .collect();
    let resolve = |field: &Value| -> Option<&Value> {
        by_reference.get(field.get("reference")?.as_str()?).copied()
    };
    let wanted = match kind {
        DirectoryKind::Practitioner => "PractitionerRole",
        DirectoryKind::HealthcareService => "HealthcareService",
    };

    resources
        .iter()
        .filter(|(resource, matched)| *matched && text(resource, "resourceType") == Some(wanted))
        .filter(|(resource, _)| resource.get("active").and_then(Value::as_bool) != Some(false))
        .filter_map(|(resource, _)| {
            let organization = resource
                .get("organization")
                .or_else(|| resource.get("providedBy"))
                .and_then(&resolve);
            let practitioner = resource.get("practitioner").and_then(&resolve);
            let (name, telematik_id) = match kind {
                DirectoryKind::Practitioner => {
                    let practitioner = practitioner?;
                    if practitioner.get("active").and_then(Value::as_bool) == Some(false) {
                        return None;
                    }
                    (human_name(practitioner)?, telematik_id(practitioner))
                }
                DirectoryKind::HealthcareService => {
                    (text(resource, "name")?.to_owned(), organization.and_then(telematik_id))
                }
            };
            let references = |field: &str| -> Vec<&Value> {
                resource
                    .get(field)
                    .and_then(Value::as_array)
                    .map(|refs| refs.iter().filter_map(&resolve).collect())
                    .unwrap_or_default()
            };
            Some(DirectoryEntry {
                kind,
                resource_id: text(resource, "id")?.to_owned(),
                name,
                organization: organization.and_then(|o| text(o, "name")).map(str::to_owned),
                telematik_id,
                address: references("location").into_iter().find_map(address),
                matrix_ids: references("endpoint").into_iter().filter_map(matrix_id).collect(),
            })
        })
        .collect()
}

fn reference_of(resource: &Value) -> Option<String> {
    Some(format!("{}/{}", text(resource, "resourceType")?, text(resource, "id")?))
}

fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}

fn human_name(practitioner: &Value) -> Option<String> {
    let name = practitioner.get("name")?.as_array()?.first()?;
    if let Some(text) = text(name, "text") {
        return Some(text.to_owned());
    }
    let given: Vec<&str> = name
        .get("given")
        .and_then(Value::as_array)
        .map(|parts| parts.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let family = text(name, "family").unwrap_or_default();
    let full = format!("{} {family}", given.join(" ")).trim().to_owned();
    (!full.is_empty()).then_some(full)
}

fn telematik_id(resource: &Value) -> Option<String> {
    resource.get("identifier")?.as_array()?.iter().find_map(|identifier| {
        (text(identifier, "system") == Some(TELEMATIK_ID_SYSTEM))
            .then(|| text(identifier, "value").map(str::to_owned))
            .flatten()
    })
}

fn address(location: &Value) -> Option<DirectoryAddress> {
    let address = location.get("address")?;
    Some(DirectoryAddress {
        lines: address
            .get("line")
            .and_then(Value::as_array)
            .map(|lines| lines.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        postal_code: text(address, "postalCode").map(str::to_owned),
        city: text(address, "city").map(str::to_owned),
    })
}

/// The Matrix user ID of an active endpoint (`matrix:u/localpart:domain`).
fn matrix_id(endpoint: &Value) -> Option<String> {
    if text(endpoint, "status") != Some("active") {
        return None;
    }
    let user = text(endpoint, "address")?.strip_prefix("matrix:u/")?;
    let user_id = format!("@{user}");
    validate::user_id("address", &user_id).ok().map(|_| user_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle() -> Value {
        json!({"resourceType": "Bundle", "type": "searchset", "entry": [
            {"resource": {"resourceType": "PractitionerRole", "id": "r1", "active": true,
                "practitioner": {"reference": "Practitioner/p1"},
                "organization": {"reference": "Organization/o1"},
                "location": [{"reference": "Location/l1"}],
                "endpoint": [{"reference": "Endpoint/e1"}, {"reference": "Endpoint/e2"},
                             {"reference": "Endpoint/e3"}]},
             "search": {"mode": "match"}},
            {"resource": {"resourceType": "PractitionerRole", "id": "r2",
                "practitioner": {"reference": "Practitioner/p2"}},
             "search": {"mode": "match"}},
            {"resource": {"resourceType": "Practitioner", "id": "p1",
                "name": [{"given": ["Anna"], "family": "Weber"}],
                "identifier": [{"system": TELEMATIK_ID_SYSTEM, "value": "1-1-1"}]},
             "search": {"mode": "include"}},
            {"resource": {"resourceType": "Practitioner", "id": "p2", "active": false,
                "name": [{"text": "Bernd Altmann"}]}, "search": {"mode": "include"}},
            {"resource": {"resourceType": "Organization", "id": "o1", "name": "Praxis"},
             "search": {"mode": "include"}},
            {"resource": {"resourceType": "Location", "id": "l1", "address": {
                "line": ["Marktplatz 7"], "postalCode": "80331", "city": "München"}},
             "search": {"mode": "include"}},
            {"resource": {"resourceType": "Endpoint", "id": "e1", "status": "active",
                "address": "matrix:u/dr.weber:praxis.de"}, "search": {"mode": "include"}},
            {"resource": {"resourceType": "Endpoint", "id": "e2", "status": "off",
                "address": "matrix:u/alt:praxis.de"}, "search": {"mode": "include"}},
            {"resource": {"resourceType": "Endpoint", "id": "e3", "status": "active",
                "address": "https://example.org"}, "search": {"mode": "include"}},
        ]})
    }

    #[test]
    fn a_bundle_becomes_entries_with_active_matrix_endpoints_only() {
        let found = entries(DirectoryKind::Practitioner, &bundle());

        assert_eq!(found.len(), 1, "the inactive practitioner is left out");
        let weber = &found[0];
        assert_eq!(weber.name, "Anna Weber");
        assert_eq!(weber.organization.as_deref(), Some("Praxis"));
        assert_eq!(weber.telematik_id.as_deref(), Some("1-1-1"));
        assert_eq!(weber.address.as_ref().and_then(|a| a.city.as_deref()), Some("München"));
        assert_eq!(weber.matrix_ids, vec!["@dr.weber:praxis.de".to_owned()]);
        assert!(entries(DirectoryKind::HealthcareService, &bundle()).is_empty());
        assert!(entries(DirectoryKind::Practitioner, &json!({"entry": 5})).is_empty());
    }

    #[test]
    fn a_query_needs_a_criterion_and_is_checked() {
        let query = |name: Option<&str>, matrix_id: Option<&str>| DirectoryQuery {
            name: name.map(str::to_owned),
            matrix_id: matrix_id.map(str::to_owned),
            limit: 10,
            ..Default::default()
        };
        let parameters =
            search_parameters(DirectoryKind::Practitioner, &query(Some("Weber"), None))
                .expect("name");
        assert!(parameters.contains(&("practitioner.name", "Weber".to_owned())));
        assert!(parameters.contains(&("endpoint.status", "active".to_owned())));
        let by_id = search_parameters(
            DirectoryKind::HealthcareService,
            &query(None, Some("@station3:klinik.de")),
        )
        .expect("matrix id");
        assert!(by_id.contains(&("endpoint.address", "matrix:u/station3:klinik.de".to_owned())));

        assert!(search_parameters(DirectoryKind::Practitioner, &query(None, None)).is_err());
        assert!(search_parameters(DirectoryKind::Practitioner, &query(None, Some("x"))).is_err());
        let mut unbounded = query(Some("Weber"), None);
        unbounded.limit = 101;
        assert!(search_parameters(DirectoryKind::Practitioner, &unbounded).is_err());
    }

    #[test]
    fn the_token_expiry_is_read_from_the_jwt_payload() {
        let payload = Base64::<UrlSafe, Vec<u8>>::new(br#"{"exp":2000000000}"#.to_vec());
        let token = format!("e30.{}.sig", payload.encode());
        assert_eq!(
            token_expiry(&token),
            UNIX_EPOCH.checked_add(Duration::from_secs(2_000_000_000))
        );
        assert_eq!(token_expiry("not a jwt"), None);
    }
}
