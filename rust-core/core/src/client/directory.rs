//! Search in gematik's VZD-FHIR-Directory, the national directory of practitioners and
//! healthcare services with their Matrix addresses.
//!
//! The directory accepts a search token that it issues itself (`/tim-authenticate`) in exchange
//! for a Matrix OpenID token, which it checks with our homeserver. The search token is kept in
//! memory until shortly before it expires. Results are FHIR search bundles; only the Matrix IDs
//! of active endpoints are reported.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde_json::Value;
use url::Url;
use zeroize::Zeroizing;

use super::security::Operation;
use super::HeadlessClient;
use crate::{validate, CoreError, CoreResult};

use tim_headless_checks::directory::{entries, search_parameters, token_expiry};
pub use tim_headless_checks::directory::{
    DirectoryAddress, DirectoryEntry, DirectoryKind, DirectoryQuery, MAX_DIRECTORY_RESULTS,
};

/// Time limit of one directory request.
const DIRECTORY_TIMEOUT: Duration = Duration::from_secs(30);

/// A search token is renewed this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// When the token names no expiry, it is used for this long.
const TOKEN_FALLBACK_LIFETIME: Duration = Duration::from_secs(300);

const MAX_BUNDLE_BYTES: usize = 4 * 1024 * 1024;

/// The directory's base URL and the current search token.
pub(crate) struct Directory {
    base: Option<Url>,
    token: Mutex<Option<SearchToken>>,
}

struct SearchToken {
    value: Zeroizing<String>,
    renew_at: SystemTime,
}

impl Directory {
    /// Checks the configured base URL.
    pub(crate) fn new(base: Option<&str>) -> CoreResult<Self> {
        let base = base.map(|url| validate::homeserver_url("directoryUrl", url)).transpose()?;
        Ok(Self { base, token: Mutex::new(None) })
    }
}

impl HeadlessClient {
    /// Searches the directory.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a malformed or empty query, [`CoreError::NotConfigured`]
    /// without a directory URL, [`CoreError::Homeserver`] with the directory's status when it
    /// refuses (401: it did not accept the OpenID token), [`CoreError::Network`],
    /// [`CoreError::NotLoggedIn`], [`CoreError::RateLimited`].
    pub async fn search_directory(
        &self,
        kind: DirectoryKind,
        query: &DirectoryQuery,
    ) -> CoreResult<Vec<DirectoryEntry>> {
        let parameters = search_parameters(kind, query)?;
        self.admit(Operation::Read, "search_directory")?;
        let base = self.directory.base.clone().ok_or(CoreError::NotConfigured("directoryUrl"))?;
        self.guarded(async {
            let engine = self.logged_in_engine()?;
            let resource = match kind {
                DirectoryKind::Practitioner => "PractitionerRole",
                DirectoryKind::HealthcareService => "HealthcareService",
            };
            let mut url = join(&base, &format!("search/{resource}"))?;
            url.query_pairs_mut().extend_pairs(&parameters);

            // A token the directory no longer accepts is replaced once.
            let mut bundle = None;
            for attempt in 0..2 {
                let token = self.search_token(&engine, &base, attempt > 0).await?;
                let response = self
                    .network
                    .client()
                    .get(url.clone())
                    .timeout(DIRECTORY_TIMEOUT)
                    .bearer_auth(token.as_str())
                    .header(reqwest::header::ACCEPT, "application/fhir+json")
                    .send()
                    .await
                    .map_err(|_| CoreError::Network)?;
                if response.status() == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                    continue;
                }
                bundle = Some(json_answer(response).await?);
                break;
            }
            let bundle = bundle.ok_or(CoreError::Internal("directory search"))?;
            Ok(entries(kind, &bundle))
        })
        .await
    }

    /// The search token: the cached one, or a new one for a fresh OpenID token.
    async fn search_token(
        &self,
        engine: &matrix_sdk::Client,
        base: &Url,
        renew: bool,
    ) -> CoreResult<Zeroizing<String>> {
        {
            let cached = self.directory.token.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(token) =
                cached.as_ref().filter(|t| !renew && SystemTime::now() < t.renew_at)
            {
                return Ok(token.value.clone());
            }
        }

        let openid = engine
            .account()
            .request_openid_token()
            .await
            .map_err(|error| CoreError::from_sdk("openid token", error))?;
        let mut url = join(base, "tim-authenticate")?;
        url.query_pairs_mut().append_pair("mxId", openid.matrix_server_name.as_str());
        let response = self
            .network
            .client()
            .get(url)
            .timeout(DIRECTORY_TIMEOUT)
            .header("X-Matrix-OpenID-Token", openid.access_token.as_str())
            .send()
            .await
            .map_err(|_| CoreError::Network)?;
        let answer = json_answer(response).await?;
        let value = Zeroizing::new(
            answer
                .get("jwt")
                .and_then(Value::as_str)
                .ok_or(CoreError::Internal("directory token answer"))?
                .to_owned(),
        );
        let renew_at = token_expiry(&value)
            .and_then(|expiry| expiry.checked_sub(TOKEN_MARGIN))
            .unwrap_or_else(|| SystemTime::now() + TOKEN_FALLBACK_LIFETIME);
        *self.directory.token.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(SearchToken { value: value.clone(), renew_at });
        Ok(value)
    }
}

fn join(base: &Url, path: &str) -> CoreResult<Url> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    base.join(path).map_err(|_| CoreError::Internal("directory url"))
}

async fn json_answer(response: reqwest::Response) -> CoreResult<Value> {
    let status = response.status();
    if !status.is_success() {
        return Err(CoreError::Homeserver {
            status: status.as_u16(),
            errcode: "DIRECTORY_REFUSED".to_owned(),
        });
    }
    let body = response.bytes().await.map_err(|_| CoreError::Network)?;
    if body.len() > MAX_BUNDLE_BYTES {
        return Err(CoreError::Internal("directory answer too large"));
    }
    serde_json::from_slice(&body).map_err(|_| CoreError::Internal("directory answer"))
}
