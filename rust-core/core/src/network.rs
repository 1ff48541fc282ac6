//! How the client reaches its homeserver: through an optional HTTP proxy, trusting extra CA
//! certificates (hospital networks often inspect TLS with a CA of their own), and with the
//! identification header on every request. Certificate verification has no switch: this crate
//! never turns it off.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{tls, Certificate, Proxy};
use url::Url;

use crate::product::{Identification, SelfReport};
use crate::{CoreError, CoreResult};

/// At most this many extra CA certificates; a bundle is a few, a trust store dump is a mistake.
pub const MAX_TRUSTED_CERTIFICATES: usize = 64;

/// The longest certificate bundle accepted, in bytes of PEM.
pub const MAX_CERTIFICATE_PEM_BYTES: usize = 512 * 1024;

/// Network settings of one client.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NetworkConfig {
    /// An `http://` or `https://` proxy for every request; without one, requests go direct and
    /// the process's proxy environment variables are ignored, so that what the operator
    /// configured is all that applies.
    pub proxy_url: Option<String>,
    /// Extra CA certificates to trust besides the system's, as one PEM bundle.
    pub trusted_certificates_pem: Option<String>,
    /// The identification header.
    pub identification: Identification,
}

impl fmt::Debug for NetworkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetworkConfig")
            .field("proxy", &self.proxy_url.is_some())
            .field("trusted_certificates", &self.trusted_certificates_pem.is_some())
            .field("identification", &self.identification)
            .finish()
    }
}

/// The one HTTP client of a [`HeadlessClient`](crate::HeadlessClient), built from a checked
/// [`NetworkConfig`]: the engine and the client's own requests (directory, discovery, report)
/// share its connections. It is cheap to clone.
#[derive(Clone)]
pub(crate) struct Network {
    client: reqwest::Client,
}

impl Network {
    /// Checks `config` and builds the client: identified as `report`'s client, TLS 1.2 at
    /// least, and `timeout` for requests that set none of their own.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] naming the setting that is wrong: `proxyUrl`,
    /// `trustedCertificates` or `identificationHeader`.
    pub(crate) fn new(
        config: &NetworkConfig,
        report: &SelfReport,
        timeout: Duration,
    ) -> CoreResult<Self> {
        let proxy = config.proxy_url.as_deref().map(proxy_url).transpose()?;
        let certificates =
            config.trusted_certificates_pem.as_deref().map(certificates).transpose()?;

        let header_name = HeaderName::from_bytes(config.identification.header_name.as_bytes())
            .map_err(|_| CoreError::invalid("identificationHeader", "not a valid header name"))?;
        if is_reserved_header(&header_name) {
            return Err(CoreError::invalid("identificationHeader", "is a standard HTTP header"));
        }
        let header_value =
            HeaderValue::from_str(&report.identification_value(config.identification.format))
                .map_err(|_| CoreError::Internal("identification header value"))?;
        let user_agent = HeaderValue::from_str(
            &report.identification_value(crate::product::IdentificationFormat::Text),
        )
        .map_err(|_| CoreError::Internal("user agent"))?;

        let mut headers = HeaderMap::new();
        headers.insert(header_name, header_value);
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .default_headers(headers)
            .min_tls_version(tls::Version::TLS_1_2)
            .timeout(timeout)
            .tls_certs_merge(certificates.unwrap_or_default());
        builder = match proxy {
            Some(proxy) => builder.proxy(
                Proxy::all(proxy.as_str())
                    .map_err(|_| CoreError::invalid("proxyUrl", "refused"))?,
            ),
            None => builder.no_proxy(),
        };
        // The TLS stack parses certificates only now: one it cannot use is refused here, not at
        // the first request.
        let client = builder.build().map_err(|_| {
            CoreError::invalid("trustedCertificates", "holds a certificate that cannot be used")
        })?;
        Ok(Self { client })
    }

    /// The HTTP client.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

fn proxy_url(value: &str) -> CoreResult<Url> {
    let url = Url::parse(value).map_err(|_| CoreError::invalid("proxyUrl", "not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CoreError::invalid("proxyUrl", "must use http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(CoreError::invalid("proxyUrl", "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // A password in a URL string cannot be wiped and ends up in places that print URLs.
        return Err(CoreError::invalid("proxyUrl", "must not contain credentials"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(CoreError::invalid("proxyUrl", "must be scheme, host and port only"));
    }
    Ok(url)
}

fn certificates(pem: &str) -> CoreResult<Vec<Certificate>> {
    if pem.len() > MAX_CERTIFICATE_PEM_BYTES {
        return Err(CoreError::invalid("trustedCertificates", "exceeds 512 KiB of PEM"));
    }
    let bundle = Certificate::from_pem_bundle(pem.as_bytes())
        .map_err(|_| CoreError::invalid("trustedCertificates", "not a PEM certificate bundle"))?;
    if bundle.is_empty() {
        return Err(CoreError::invalid("trustedCertificates", "holds no certificate"));
    }
    if bundle.len() > MAX_TRUSTED_CERTIFICATES {
        return Err(CoreError::invalid("trustedCertificates", "holds more than 64 certificates"));
    }
    Ok(bundle)
}

/// Headers the HTTP stack or Matrix sets itself; an identification header must not shadow one.
fn is_reserved_header(name: &HeaderName) -> bool {
    use reqwest::header;
    [
        header::AUTHORIZATION,
        header::HOST,
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::USER_AGENT,
        header::COOKIE,
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::PROXY_AUTHORIZATION,
    ]
    .contains(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::{IdentificationFormat, IntegratingSystem};

    fn report() -> SelfReport {
        SelfReport::new(IntegratingSystem {
            name: "KIS".to_owned(),
            version: "1".to_owned(),
            vendor: None,
        })
    }

    fn network(config: NetworkConfig) -> CoreResult<Network> {
        Network::new(&config, &report(), Duration::from_secs(1))
    }

    #[test]
    fn the_defaults_build_a_client() {
        assert_eq!(NetworkConfig::default().identification.header_name, "X-TIM-User-Agent");
        assert!(network(NetworkConfig::default()).is_ok());
    }

    #[test]
    fn a_proxy_must_be_a_plain_http_url() {
        let with_proxy = |url: &str| {
            network(NetworkConfig { proxy_url: Some(url.to_owned()), ..Default::default() })
        };
        assert!(with_proxy("http://proxy.klinik.local:3128").is_ok());
        assert!(with_proxy("https://10.0.0.1:8443").is_ok());
        for refused in [
            "socks5://proxy:1080",
            "http://user:secret@proxy:3128",
            "http://proxy:3128/path",
            "proxy:3128",
            "",
        ] {
            let error = with_proxy(refused).err().expect(refused);
            assert!(error.to_string().contains("proxyUrl"), "{refused}: {error}");
            assert!(!error.to_string().contains("secret"));
        }
    }

    #[test]
    fn certificates_must_be_a_pem_bundle_of_at_least_one() {
        let with_pem = |pem: &str| {
            network(NetworkConfig {
                trusted_certificates_pem: Some(pem.to_owned()),
                ..Default::default()
            })
        };
        for refused in
            ["", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
        {
            assert!(with_pem(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn the_identification_header_cannot_shadow_a_standard_header() {
        let with_header = |name: &str| {
            network(NetworkConfig {
                identification: Identification {
                    header_name: name.to_owned(),
                    format: IdentificationFormat::Json,
                },
                ..Default::default()
            })
        };
        assert!(with_header("X-TIM-Client").is_ok());
        for refused in ["Authorization", "user-agent", "Host", "", "two words", "x\u{e4}"] {
            assert!(with_header(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn debug_shows_no_proxy_or_certificate_text() {
        let config = NetworkConfig {
            proxy_url: Some("http://proxy.klinik.local:3128".to_owned()),
            trusted_certificates_pem: Some("-----BEGIN CERTIFICATE-----".to_owned()),
            ..Default::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("klinik") && !shown.contains("BEGIN"), "{shown}");
    }
}
