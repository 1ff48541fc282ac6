//! Who may contact this account: TI-M's permission configuration, kept in the account data
//! `de.gematik.tim.account.permissionconfig.pro.v1` and enforced by the Fachdienst.
//!
//! The Fachdienst stores whatever a client writes (and later resets what it cannot read), so
//! every configuration is checked against gematik's schema before it is written. The model and
//! its schema checks live in `tim-headless-checks`, where they are fuzzed.

use matrix_sdk::ruma::{events::GlobalAccountDataEventType, serde::Raw};
use serde_json::Value;

use super::{security::Operation, HeadlessClient};
use crate::error::{CoreError, CoreResult};

pub use tim_headless_checks::permission_config::{
    DefaultSetting, PermissionConfig, GROUP_INSURED_PERSON, PERMISSION_CONFIG_TYPE,
};

impl HeadlessClient {
    /// This account's permission configuration as the homeserver has it; `None` if none is set
    /// or the stored one does not follow the schema.
    pub async fn permission_config(&self) -> CoreResult<Option<PermissionConfig>> {
        self.guarded(async {
            let engine = self.logged_in_engine()?;
            let raw = engine
                .account()
                .fetch_account_data(GlobalAccountDataEventType::from(PERMISSION_CONFIG_TYPE))
                .await
                .map_err(|error| CoreError::from_sdk("read permission config", error))?;
            let Some(raw) = raw else { return Ok(None) };
            let content: Value = serde_json::from_str(raw.json().get())
                .map_err(|_| CoreError::Internal("read permission config"))?;
            Ok(PermissionConfig::from_json(&content))
        })
        .await
    }

    /// Replaces this account's permission configuration, after checking it against the schema.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] before anything is written; homeserver and network errors.
    pub async fn set_permission_config(&self, config: &PermissionConfig) -> CoreResult<()> {
        self.admit(Operation::Change, "set_permission_config")?;
        config.validate()?;
        self.guarded(async {
            let engine = self.logged_in_engine()?;
            let content = Raw::from_json_string(config.to_json().to_string())
                .map_err(|_| CoreError::Internal("encode permission config"))?;
            engine
                .account()
                .set_account_data_raw(
                    GlobalAccountDataEventType::from(PERMISSION_CONFIG_TYPE),
                    content,
                )
                .await
                .map_err(|error| CoreError::from_sdk("write permission config", error))?;
            tracing::info!("permission configuration replaced");
            self.audit(crate::audit::AuditEvent::PermissionConfigChanged);
            Ok(())
        })
        .await
    }
}
