//! Server-side key backup (Matrix key backup, protected by secret storage). The integrating
//! system supplies the recovery passphrase; the backup's key never leaves the engine, and no
//! recovery key is ever shown: the one the engine generates is wiped at once, so the
//! passphrase is the only way back to the keys.
//!
//! At login the client either creates secret storage and a backup (first device of the account)
//! or opens the existing secret storage with the passphrase, imports the backup key and
//! downloads every room key from the backup (a new device, for example after its store was
//! lost).

use std::sync::PoisonError;

use matrix_sdk::encryption::{recovery::RecoveryError, secret_storage::SecretStorageError};
use matrix_sdk::Client;
use zeroize::Zeroizing;

use super::security::Operation;
use super::HeadlessClient;
use crate::audit::AuditEvent;
use crate::{CoreError, CoreResult, Secret};

/// Whether this device backs its room keys up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyBackupState {
    /// Keys go to the backup on the server.
    Enabled,
    /// There is no backup for this device: no recovery passphrase was given, or none yet.
    Disabled,
    /// Setting the backup up failed; the code says why (`RECOVERY_PASSPHRASE_REFUSED`, say).
    Failed(&'static str),
}

/// What setting up did.
enum Outcome {
    /// Secret storage and a backup were created: this was the account's first such device.
    Created,
    /// The existing secret storage was opened and the backup key imported.
    Recovered,
}

impl HeadlessClient {
    /// Sets up the key backup with the configured recovery passphrase after a login. A failure
    /// does not fail the login: it is logged, audited and shown by [`Self::key_backup_state`].
    pub(super) async fn set_up_key_backup_after_login(&self, engine: &Client) {
        let Some(passphrase) = self.recovery_passphrase.clone() else {
            tracing::warn!("no recovery passphrase is configured: room keys are not backed up");
            return;
        };
        if let Err(error) = self.set_up_key_backup(engine, &passphrase).await {
            tracing::warn!(code = error.code(), "the key backup could not be set up");
        }
    }

    /// Sets up the key backup with `passphrase`, as a login does with the configured one: for
    /// a session that was created without it, or after a failure.
    ///
    /// # Errors
    /// [`CoreError::RecoveryPassphraseRefused`] when the passphrase does not open the account's
    /// secret storage, [`CoreError::KeyBackupUnavailable`] when the account has a backup that
    /// no secret storage protects, [`CoreError::NotLoggedIn`], [`CoreError::Restricted`],
    /// [`CoreError::RateLimited`], [`CoreError::Network`], [`CoreError::Homeserver`].
    pub async fn enable_key_backup(&self, passphrase: Secret) -> CoreResult<()> {
        if passphrase.is_empty() {
            return Err(CoreError::invalid("recoveryPassphrase", "must not be empty"));
        }
        self.admit(Operation::Change, "enable_key_backup")?;
        self.guarded(async {
            let engine = self.logged_in_engine()?;
            self.set_up_key_backup(&engine, &passphrase).await
        })
        .await
    }

    /// Whether this device backs its keys up.
    ///
    /// # Errors
    /// [`CoreError::NotLoggedIn`].
    pub async fn key_backup_state(&self) -> CoreResult<KeyBackupState> {
        let engine = self.logged_in_engine()?;
        if engine.encryption().backups().are_enabled().await {
            return Ok(KeyBackupState::Enabled);
        }
        let failure = *self.backup_failure.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(failure.map_or(KeyBackupState::Disabled, KeyBackupState::Failed))
    }

    async fn set_up_key_backup(&self, engine: &Client, passphrase: &Secret) -> CoreResult<()> {
        let result = set_up(engine, passphrase).await;
        *self.backup_failure.lock().unwrap_or_else(PoisonError::into_inner) =
            result.as_ref().err().map(CoreError::code);
        match &result {
            Ok(Outcome::Created) => self.audit(AuditEvent::KeyBackupEnabled { recovered: false }),
            Ok(Outcome::Recovered) => self.audit(AuditEvent::KeyBackupEnabled { recovered: true }),
            Err(error) => self.audit(AuditEvent::KeyBackupFailed { code: error.code() }),
        }
        result.map(|_| ())
    }
}

async fn set_up(engine: &Client, passphrase: &Secret) -> CoreResult<Outcome> {
    let encryption = engine.encryption();
    let has_secret_storage = encryption
        .secret_storage()
        .is_enabled()
        .await
        .map_err(|error| CoreError::from_sdk("secret storage", error))?;

    if has_secret_storage {
        encryption.recovery().recover(passphrase.expose()).await.map_err(recovery_error)?;
        tracing::info!("room keys recovered from the key backup's secret storage");
        return Ok(Outcome::Recovered);
    }

    // The engine hands back a recovery key; the passphrase is the way back, so it is wiped.
    let recovery_key = encryption
        .recovery()
        .enable()
        .with_passphrase(passphrase.expose())
        .await
        .map_err(recovery_error)?;
    drop(Zeroizing::new(recovery_key));
    tracing::info!("key backup and secret storage created");
    Ok(Outcome::Created)
}

fn recovery_error(error: RecoveryError) -> CoreError {
    match error {
        RecoveryError::BackupExistsOnServer => {
            CoreError::KeyBackupUnavailable("the account has a key backup without secret storage")
        }
        RecoveryError::SecretStorage(SecretStorageError::SecretStorageKey(_)) => {
            CoreError::RecoveryPassphraseRefused
        }
        RecoveryError::SecretStorage(SecretStorageError::Sdk(error))
        | RecoveryError::Sdk(error) => CoreError::from_sdk("key backup", error),
        RecoveryError::SecretStorage(other) => {
            tracing::debug!(error = %other, "secret storage error");
            CoreError::KeyBackupUnavailable("the account's secret storage cannot be used")
        }
    }
}
