//! Homeserver discovery: the client-server API's `.well-known/matrix/client` document, which a
//! server name publishes to say where its homeserver is. Fetched over HTTPS with the client's
//! network settings (proxy, extra CA certificates), so it is verified like every other request.

use std::time::Duration;

use tim_headless_checks::discovery::homeserver_from_document;
use url::Url;

use crate::network::Network;
use crate::{CoreError, CoreResult};

/// How long the lookup may take; it runs while the client is being built.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// The homeserver `server_name` publishes.
///
/// # Errors
/// [`CoreError::Network`] when the server cannot be reached (this includes a certificate that
/// does not verify), [`CoreError::InvalidArgument`] naming `serverName` when it publishes no
/// or no usable document.
pub(super) async fn discover(network: &Network, server_name: &str) -> CoreResult<Url> {
    let address = format!("https://{server_name}/.well-known/matrix/client");
    let url = Url::parse(&address).map_err(|_| CoreError::invalid("serverName", "not a host"))?;
    let response = network
        .client()
        .get(url)
        .timeout(DISCOVERY_TIMEOUT)
        .send()
        .await
        .map_err(|_| CoreError::Network)?;
    if !response.status().is_success() {
        return Err(CoreError::invalid("serverName", "publishes no .well-known/matrix/client"));
    }
    let body = response.bytes().await.map_err(|_| CoreError::Network)?;
    Ok(homeserver_from_document(&body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_is_read_and_checked_like_a_configured_one() {
        let url = homeserver_from_document(
            br#"{"m.homeserver":{"base_url":"https://matrix.klinik.de/"},"x":1}"#,
        )
        .expect("valid");
        assert_eq!(url.as_str(), "https://matrix.klinik.de/");

        for refused in [
            &br#"{}"#[..],
            br#"{"m.homeserver":{}}"#,
            br#"{"m.homeserver":{"base_url":"ftp://x"}}"#,
            br#"{"m.homeserver":{"base_url":"https://u:p@x"}}"#,
            b"not json",
        ] {
            let error = homeserver_from_document(refused).expect_err("refused");
            assert!(error.to_string().contains("serverName"), "{error}");
        }
    }
}
