//! The Fachdienst's `/tim-information` API: is a server an insurer's, and which server serves an
//! IK number. Answers are cached, as they change only with the federation list.
//!
//! gematik's API description names a Matrix OpenID token as the bearer; famedly's module, which
//! real Fachdienste run, accepts the client's access token and refuses OpenID tokens. We try the
//! access token first and fall back to an OpenID token on 401, and keep using whichever worked.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex, PoisonError,
    },
    time::{Duration, Instant},
};

use serde_json::Value;
use url::Url;

use super::HeadlessClient;
use crate::{
    error::{CoreError, CoreResult},
    validate,
};

/// How long an answer is kept.
const ANSWER_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Most answers kept; when full, those older than half their lifetime are dropped.
const MAX_CACHED_ANSWERS: usize = 10_000;

/// Cached answers and the bearer that works, per client.
#[derive(Default)]
pub(crate) struct Information {
    answers: Mutex<HashMap<String, (Instant, Option<String>)>>,
    openid_works: AtomicBool,
}

impl HeadlessClient {
    /// Whether `server_name` belongs to an insurer (a health insurance's TI-M server).
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a bad server name; homeserver and network errors.
    pub async fn is_insurance(&self, server_name: &str) -> CoreResult<bool> {
        validate::server_name("serverName", server_name)?;
        let answer = self
            .tim_information("v1/server/isInsurance", "serverName", server_name, "isInsurance")
            .await?;
        Ok(answer.as_deref() == Some("true"))
    }

    /// The server name that serves an IK number (Institutionskennzeichen), if any.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] unless the IK number has nine digits; homeserver and
    /// network errors.
    pub async fn find_by_ik(&self, ik_number: &str) -> CoreResult<Option<String>> {
        validate::ik_number("ikNumber", ik_number)?;
        self.tim_information("v1/server/findByIk", "ikNumber", ik_number, "serverName").await
    }

    /// Asks `/tim-information/<path>?<parameter>=<value>` for the answer's `field`, as text;
    /// `None` when the Fachdienst knows no answer (404).
    async fn tim_information(
        &self,
        path: &str,
        parameter: &str,
        value: &str,
        field: &str,
    ) -> CoreResult<Option<String>> {
        let cache_key = format!("{path}?{value}");
        if let Some(answer) = self.cached_answer(&cache_key) {
            return Ok(answer);
        }

        self.guarded(async {
            let engine = self.logged_in_engine()?;
            let mut url = engine
                .homeserver()
                .join(&format!("tim-information/{path}"))
                .map_err(|_| CoreError::Internal("tim-information url"))?;
            url.query_pairs_mut().append_pair(parameter, value);

            let prefer_openid = self.information.openid_works.load(Ordering::Relaxed);
            let mut response = self.ask(&engine, &url, prefer_openid).await?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED {
                response = self.ask(&engine, &url, !prefer_openid).await?;
                if response.status() != reqwest::StatusCode::UNAUTHORIZED {
                    self.information.openid_works.store(!prefer_openid, Ordering::Relaxed);
                }
            }

            let status = response.status();
            let bytes = response.bytes().await.map_err(|_| CoreError::Network)?;
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let answer = match status.as_u16() {
                200 => match body.get(field) {
                    Some(Value::Bool(flag)) => Some(flag.to_string()),
                    Some(Value::String(text)) => Some(text.clone()),
                    _ => return Err(CoreError::Internal("tim-information answer")),
                },
                404 => None,
                code => {
                    let errcode =
                        body.get("errcode").and_then(Value::as_str).unwrap_or("unknown").to_owned();
                    return Err(CoreError::Homeserver { status: code, errcode });
                }
            };
            self.cache_answer(cache_key, answer.clone());
            Ok(answer)
        })
        .await
    }

    async fn ask(
        &self,
        engine: &matrix_sdk::Client,
        url: &Url,
        openid: bool,
    ) -> CoreResult<reqwest::Response> {
        let token = if openid {
            let response = engine
                .account()
                .request_openid_token()
                .await
                .map_err(|error| CoreError::from_sdk("openid token", error))?;
            response.access_token
        } else {
            engine.access_token().ok_or(CoreError::NotLoggedIn)?
        };
        engine
            .http_client()
            .get(url.clone())
            .bearer_auth(token)
            .send()
            .await
            .map_err(|_| CoreError::Network)
    }

    fn cached_answer(&self, key: &str) -> Option<Option<String>> {
        let answers = self.information.answers.lock().unwrap_or_else(PoisonError::into_inner);
        answers
            .get(key)
            .filter(|(stored, _)| stored.elapsed() < ANSWER_LIFETIME)
            .map(|(_, answer)| answer.clone())
    }

    fn cache_answer(&self, key: String, answer: Option<String>) {
        let mut answers = self.information.answers.lock().unwrap_or_else(PoisonError::into_inner);
        if answers.len() >= MAX_CACHED_ANSWERS {
            answers.retain(|_, (stored, _)| stored.elapsed() < ANSWER_LIFETIME / 2);
        }
        answers.insert(key, (Instant::now(), answer));
    }
}
