//! The client's own screening of invitations: one that the account's permission configuration
//! blocks is declined before the integrating system sees it, and the decision is audited. The
//! Fachdienst refuses such invitations too; this covers invitations it let through, such as
//! those its rules do not cover or a homeserver without them.

use matrix_sdk::ruma::{events::GlobalAccountDataEventType, RoomId};
use matrix_sdk::Client;
use serde_json::Value;

use super::permissions::{PermissionConfig, GROUP_INSURED_PERSON, PERMISSION_CONFIG_TYPE};
use super::HeadlessClient;
use crate::audit::AuditEvent;
use crate::events::InviteEvent;

impl HeadlessClient {
    /// Whether an invitation goes to the integrating system. A blocked one is declined here.
    pub(super) async fn admit_invite(&self, engine: &Client, invite: &InviteEvent) -> bool {
        if !self.decline_blocked_invites {
            return true;
        }
        let Some(config) = current_permission_config(engine).await else {
            return true;
        };
        let insured = config.group_exceptions.contains(GROUP_INSURED_PERSON)
            && self.inviter_is_insured(&invite.inviter).await;
        if config.allows(&invite.inviter, insured) {
            return true;
        }

        let declined = match RoomId::parse(&invite.room_id).ok().and_then(|id| engine.get_room(&id))
        {
            Some(room) => room.leave().await.is_ok(),
            None => false,
        };
        if !declined {
            // Delivered after all: the integrating system can still decline it.
            tracing::warn!("a blocked invitation could not be declined");
            return true;
        }
        self.audit(AuditEvent::InvitationDeclined {
            room_id: invite.room_id.clone(),
            inviter: invite.inviter.clone(),
        });
        false
    }

    async fn inviter_is_insured(&self, inviter: &str) -> bool {
        let server = inviter.split_once(':').map_or("", |(_, server)| server);
        // Without an answer the group exception does not apply.
        self.is_insurance(server).await.unwrap_or(false)
    }
}

/// The configuration as the homeserver has it now; `None` when there is none, it does not
/// follow the schema, or it cannot be read (the Fachdienst's rules still apply then).
async fn current_permission_config(engine: &Client) -> Option<PermissionConfig> {
    let raw = engine
        .account()
        .fetch_account_data(GlobalAccountDataEventType::from(PERMISSION_CONFIG_TYPE))
        .await;
    let raw = match raw {
        Ok(raw) => raw?,
        Err(_) => {
            tracing::warn!("the permission configuration could not be read to screen an invite");
            return None;
        }
    };
    let content: Value = serde_json::from_str(raw.json().get()).ok()?;
    PermissionConfig::from_json(&content)
}
