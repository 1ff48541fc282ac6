//! The permission configuration as the homeserver hands it back, from arbitrary JSON: reading it
//! never panics, what is read follows the schema, and writing it out reads back the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tim_headless_checks::permission_config::PermissionConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(content) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Some(config) = PermissionConfig::from_json(&content) else { return };

    assert!(config.validate().is_ok(), "what is read follows the schema");
    assert_eq!(PermissionConfig::from_json(&config.to_json()).as_ref(), Some(&config));
    for user in config.user_exceptions.iter().take(3) {
        // An excepted user is treated opposite to the default.
        let allowed = config.allows(user, false);
        let default_allows = matches!(
            config.default_setting,
            tim_headless_checks::permission_config::DefaultSetting::AllowAll
        );
        assert_eq!(allowed, !default_allows);
    }
});
