//! TI-M's permission configuration: who may invite an account. It is kept in the account data
//! `de.gematik.tim.account.permissionconfig.pro.v1` and enforced by the Fachdienst, which stores
//! whatever a client writes (and later resets what it cannot read); so a configuration is checked
//! against gematik's schema before it is written, and read back only if it follows it.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::{
    validate::{self, CheckResult},
    Invalid,
};

/// The account data type of the configuration.
pub const PERMISSION_CONFIG_TYPE: &str = "de.gematik.tim.account.permissionconfig.pro.v1";
/// The only group TI-M defines: insured persons (accounts of insurers' customers).
pub const GROUP_INSURED_PERSON: &str = "isInsuredPerson";
/// Most entries one exception list may hold; the account data event must stay small.
const MAX_EXCEPTIONS: usize = 1000;

/// What applies to everybody not named in an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultSetting {
    /// Everybody may invite this account, except the exceptions.
    AllowAll,
    /// Nobody may invite this account, except the exceptions.
    BlockAll,
}

impl DefaultSetting {
    fn as_json(self) -> &'static str {
        match self {
            Self::AllowAll => "allow all",
            Self::BlockAll => "block all",
        }
    }
}

/// The permission configuration: a default and the users, servers and groups it does not
/// apply to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionConfig {
    /// The default setting.
    pub default_setting: DefaultSetting,
    /// Full Matrix user IDs the default does not apply to.
    pub user_exceptions: BTreeSet<String>,
    /// Server names the default does not apply to.
    pub server_exceptions: BTreeSet<String>,
    /// Groups the default does not apply to; only `isInsuredPerson` exists.
    pub group_exceptions: BTreeSet<String>,
}

impl PermissionConfig {
    /// Checks the configuration against gematik's schema and our limits.
    ///
    /// # Errors
    /// [`Invalid`] naming the list with the offending entry.
    pub fn validate(&self) -> CheckResult<()> {
        for (parameter, list) in [
            ("userExceptions", &self.user_exceptions),
            ("serverExceptions", &self.server_exceptions),
            ("groupExceptions", &self.group_exceptions),
        ] {
            if list.len() > MAX_EXCEPTIONS {
                return Err(Invalid::new(parameter, "has more than 1000 entries"));
            }
        }
        for user in &self.user_exceptions {
            validate::user_id("userExceptions", user)?;
        }
        for server in &self.server_exceptions {
            validate::server_name("serverExceptions", server)?;
        }
        if self.group_exceptions.iter().any(|group| group != GROUP_INSURED_PERSON) {
            return Err(Invalid::new("groupExceptions", "knows only isInsuredPerson"));
        }
        Ok(())
    }

    /// The account data content, in the shape of gematik's schema.
    pub fn to_json(&self) -> Value {
        let as_map = |entries: &BTreeSet<String>| -> Map<String, Value> {
            entries.iter().map(|entry| (entry.clone(), json!({}))).collect()
        };
        json!({
            "defaultSetting": self.default_setting.as_json(),
            "userExceptions": as_map(&self.user_exceptions),
            "serverExceptions": as_map(&self.server_exceptions),
            "groupExceptions": self
                .group_exceptions
                .iter()
                .map(|group| json!({ "groupName": group }))
                .collect::<Vec<_>>(),
        })
    }

    /// Whether this configuration lets `user_id` invite the account; `insured` says whether the
    /// user's server is an insurer's (the `isInsuredPerson` group). An exception inverts the
    /// default.
    pub fn allows(&self, user_id: &str, insured: bool) -> bool {
        let server = user_id.split_once(':').map_or("", |(_, server)| server);
        let excepted = self.user_exceptions.contains(user_id)
            || self.server_exceptions.contains(server)
            || (insured && self.group_exceptions.contains(GROUP_INSURED_PERSON));
        match self.default_setting {
            DefaultSetting::AllowAll => !excepted,
            DefaultSetting::BlockAll => excepted,
        }
    }

    /// Reads account data content; `None` when it does not follow the schema (the Fachdienst
    /// then treats it as unset).
    pub fn from_json(content: &Value) -> Option<Self> {
        let default_setting = match content.get("defaultSetting")?.as_str()? {
            "allow all" => DefaultSetting::AllowAll,
            "block all" => DefaultSetting::BlockAll,
            _ => return None,
        };
        let keys = |field: &str| -> Option<BTreeSet<String>> {
            match content.get(field) {
                None => Some(BTreeSet::new()),
                Some(value) => Some(value.as_object()?.keys().cloned().collect()),
            }
        };
        let group_exceptions = match content.get("groupExceptions") {
            None => BTreeSet::new(),
            Some(groups) => groups
                .as_array()?
                .iter()
                .map(|group| group.get("groupName").and_then(Value::as_str).map(str::to_owned))
                .collect::<Option<_>>()?,
        };
        let config = Self {
            default_setting,
            user_exceptions: keys("userExceptions")?,
            server_exceptions: keys("serverExceptions")?,
            group_exceptions,
        };
        config.validate().ok().map(|()| config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PermissionConfig {
        PermissionConfig {
            default_setting: DefaultSetting::BlockAll,
            user_exceptions: ["@dr.weber:example.org".to_owned()].into(),
            server_exceptions: ["klinik.example.org".to_owned()].into(),
            group_exceptions: [GROUP_INSURED_PERSON.to_owned()].into(),
        }
    }

    #[test]
    fn the_json_follows_the_schema_and_round_trips() {
        let json = config().to_json();
        assert_eq!(json["defaultSetting"], "block all");
        assert_eq!(json["userExceptions"]["@dr.weber:example.org"], json!({}));
        assert_eq!(json["serverExceptions"]["klinik.example.org"], json!({}));
        assert_eq!(json["groupExceptions"][0]["groupName"], "isInsuredPerson");
        assert_eq!(PermissionConfig::from_json(&json), Some(config()));
        assert_eq!(
            PermissionConfig::from_json(&json!({ "defaultSetting": "allow all" })),
            Some(PermissionConfig {
                default_setting: DefaultSetting::AllowAll,
                user_exceptions: BTreeSet::new(),
                server_exceptions: BTreeSet::new(),
                group_exceptions: BTreeSet::new(),
            })
        );
    }

    #[test]
    fn an_exception_inverts_the_default() {
        let block = PermissionConfig {
            default_setting: DefaultSetting::BlockAll,
            user_exceptions: BTreeSet::from(["@arzt:praxis.de".to_owned()]),
            server_exceptions: BTreeSet::from(["klinik.de".to_owned()]),
            group_exceptions: BTreeSet::from([GROUP_INSURED_PERSON.to_owned()]),
        };
        assert!(block.allows("@arzt:praxis.de", false));
        assert!(block.allows("@pflege:klinik.de", false));
        assert!(block.allows("@versicherte:kasse.de", true));
        assert!(!block.allows("@fremd:praxis.de", false));

        let allow = PermissionConfig { default_setting: DefaultSetting::AllowAll, ..block };
        assert!(!allow.allows("@arzt:praxis.de", false));
        assert!(!allow.allows("@versicherte:kasse.de", true));
        assert!(allow.allows("@fremd:praxis.de", false));
    }

    #[test]
    fn configurations_outside_the_schema_are_refused() {
        let mut bad_user = config();
        bad_user.user_exceptions.insert("weber".into());
        assert!(bad_user.validate().is_err());
        let mut bad_server = config();
        bad_server.server_exceptions.insert("not a server".into());
        assert!(bad_server.validate().is_err());
        let mut bad_group = config();
        bad_group.group_exceptions.insert("isDoctor".into());
        assert!(bad_group.validate().is_err());

        for content in [
            json!({}),
            json!({ "defaultSetting": "allow some" }),
            json!({ "defaultSetting": "allow all", "userExceptions": ["@a:x"] }),
            json!({ "defaultSetting": "allow all", "groupExceptions": [{ "groupName": "x" }] }),
        ] {
            assert_eq!(PermissionConfig::from_json(&content), None, "{content}");
        }
    }
}
