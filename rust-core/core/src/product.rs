//! What this client is, in one place: the names and versions it identifies itself with towards
//! the Fachdienst on every request (A_28693) and in its self-report (A_28684), together with the
//! integrating system that embeds it.

use std::time::SystemTime;

use serde_json::json;

/// The product's name.
pub const PRODUCT_NAME: &str = "tim-headless";

/// The gematik product type this client implements.
pub const PRODUCT_TYPE: &str = "TI-M Pro Headless Client";

/// The version of the product type's concept this client follows (gemF_TI-M_Headless_Client).
pub const PRODUCT_TYPE_VERSION: &str = "1.0.0";

/// The product's own version.
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The system that embeds the client (a KIS, a PVS, a contact-center backend): it must name
/// itself, as TI-M requires the client to report who integrates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegratingSystem {
    /// Its product name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its vendor, when the integrating system names one.
    pub vendor: Option<String>,
}

/// How the identification header's value is written. gematik has not published a normative
/// format; the two here follow its reference client and its reference proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentificationFormat {
    /// A user-agent style line: `tim-headless/0.1.0 (TI-M Pro Headless Client 1.0.0; linux
    /// 6.1; x86_64) KIS/4.2 (Vendor)`.
    Text,
    /// One JSON object with the same facts, in ASCII.
    Json,
}

/// The header every request carries, and its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identification {
    /// The header's name; `X-TIM-User-Agent` by default, as gematik's reference client sends it.
    pub header_name: String,
    /// How its value is written.
    pub format: IdentificationFormat,
}

/// The header name gematik's reference client uses.
pub const DEFAULT_IDENTIFICATION_HEADER: &str = "X-TIM-User-Agent";

impl Default for Identification {
    fn default() -> Self {
        Self {
            header_name: DEFAULT_IDENTIFICATION_HEADER.to_owned(),
            format: IdentificationFormat::Text,
        }
    }
}

/// What the client reports about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfReport {
    /// [`PRODUCT_NAME`].
    pub product: &'static str,
    /// [`PRODUCT_TYPE`].
    pub product_type: &'static str,
    /// [`PRODUCT_TYPE_VERSION`].
    pub product_type_version: &'static str,
    /// [`PRODUCT_VERSION`].
    pub product_version: &'static str,
    /// The operating system, its release and the CPU architecture.
    pub platform: Platform,
    /// The embedding system.
    pub integrating_system: IntegratingSystem,
    /// When this client was opened, in milliseconds since the Unix epoch.
    pub started_at_millis: u64,
}

/// The machine the client runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// For example `linux`.
    pub os: &'static str,
    /// The kernel release, for example `6.1.0-18-amd64`; `unknown` when it cannot be read.
    pub os_version: String,
    /// For example `x86_64`.
    pub arch: &'static str,
}

impl Platform {
    /// The platform this process runs on.
    pub fn current() -> Self {
        Self { os: std::env::consts::OS, os_version: os_release(), arch: std::env::consts::ARCH }
    }
}

impl SelfReport {
    /// The report of a client opened now by `integrating_system`.
    pub fn new(integrating_system: IntegratingSystem) -> Self {
        let started_at_millis = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX));
        Self {
            product: PRODUCT_NAME,
            product_type: PRODUCT_TYPE,
            product_type_version: PRODUCT_TYPE_VERSION,
            product_version: PRODUCT_VERSION,
            platform: Platform::current(),
            integrating_system,
            started_at_millis,
        }
    }

    /// The identification header's value in `format`: visible ASCII only, as HTTP requires, with
    /// other characters of the integrating system's names percent-encoded (Text) or escaped
    /// (Json).
    pub fn identification_value(&self, format: IdentificationFormat) -> String {
        let system = &self.integrating_system;
        match format {
            IdentificationFormat::Text => {
                let vendor = system
                    .vendor
                    .as_deref()
                    .map(|vendor| format!(" ({})", percent_encoded(vendor)))
                    .unwrap_or_default();
                format!(
                    "{}/{} ({} {}; {} {}; {}) {}/{}{}",
                    self.product,
                    self.product_version,
                    self.product_type,
                    self.product_type_version,
                    self.platform.os,
                    percent_encoded(&self.platform.os_version),
                    self.platform.arch,
                    percent_encoded(&system.name),
                    percent_encoded(&system.version),
                    vendor,
                )
            }
            IdentificationFormat::Json => ascii_json(&json!({
                "product": self.product,
                "productType": self.product_type,
                "productTypeVersion": self.product_type_version,
                "productVersion": self.product_version,
                "platform": "headless",
                "os": self.platform.os,
                "osVersion": self.platform.os_version,
                "arch": self.platform.arch,
                "integratingSystem": {
                    "name": system.name,
                    "version": system.version,
                    "vendor": system.vendor,
                },
            })),
        }
    }
}

/// `value` with spaces kept and every byte outside visible ASCII, and `%` itself, as `%XX`.
fn percent_encoded(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if (b' '..=b'~').contains(&byte) && byte != b'%' {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Compact JSON with every character outside ASCII written as a `\u` escape.
fn ascii_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_ascii() {
            escaped.push(character);
        } else {
            let mut units = [0u16; 2];
            for unit in character.encode_utf16(&mut units) {
                escaped.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    escaped
}

fn os_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|release| release.trim().to_owned())
        .ok()
        .filter(|release| !release.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(vendor: Option<&str>) -> SelfReport {
        SelfReport::new(IntegratingSystem {
            name: "KIS Köln".to_owned(),
            version: "4.2".to_owned(),
            vendor: vendor.map(str::to_owned),
        })
    }

    #[test]
    fn the_text_value_names_product_type_platform_and_integrating_system_in_ascii() {
        let value = report(Some("Müller & Co")).identification_value(IdentificationFormat::Text);

        assert!(value.starts_with(&format!("tim-headless/{PRODUCT_VERSION} (")), "{value}");
        assert!(value.contains("TI-M Pro Headless Client 1.0.0"), "{value}");
        assert!(value.contains(std::env::consts::OS), "{value}");
        assert!(value.ends_with("KIS K%C3%B6ln/4.2 (M%C3%BCller & Co)"), "{value}");
        assert!(value.bytes().all(|byte| (b' '..=b'~').contains(&byte)));
        assert!(reqwest::header::HeaderValue::from_str(&value).is_ok());
    }

    #[test]
    fn the_json_value_is_ascii_json_that_reads_back_unchanged() {
        let value = report(None).identification_value(IdentificationFormat::Json);

        assert!(value.is_ascii(), "{value}");
        let parsed: serde_json::Value = serde_json::from_str(&value).expect("json");
        assert_eq!(parsed["integratingSystem"]["name"], "KIS Köln");
        assert_eq!(parsed["integratingSystem"]["vendor"], serde_json::Value::Null);
        assert_eq!(parsed["productTypeVersion"], PRODUCT_TYPE_VERSION);
        assert_eq!(ascii_json(&json!("😀")), "\"\\ud83d\\ude00\"");
    }

    #[test]
    fn a_percent_sign_is_encoded_so_that_the_text_decodes_unambiguously() {
        assert_eq!(percent_encoded("100% KIS"), "100%25 KIS");
    }
}
