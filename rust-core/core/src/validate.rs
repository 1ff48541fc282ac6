//! Checks of every parameter that enters the core, done before anything else happens. They live
//! in `tim-headless-checks`, free of the engine, so that they can be fuzzed on their own; their
//! refusals convert into [`crate::CoreError::InvalidArgument`].

pub use tim_headless_checks::validate::*;
