//! Protection of the process that holds the client's secrets.

/// Makes the process non-dumpable where the operating system allows it (Linux:
/// `PR_SET_DUMPABLE` 0): it writes no core dump, and other processes of the same user can no
/// longer attach a debugger to it or read its memory through `/proc`. Called when the first
/// client opens its store, since from then on the process holds keys; it is not undone. Returns
/// whether the process is protected.
pub fn protect_process_memory() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_SET_DUMPABLE takes plain integer arguments and touches no memory
        // of ours.
        let result = unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
        result == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Protects the process once, when the first client of the process opens; logs the outcome.
pub(crate) fn protect_once() {
    static PROTECTED: std::sync::Once = std::sync::Once::new();
    PROTECTED.call_once(|| {
        if protect_process_memory() {
            tracing::info!("the process is non-dumpable while it holds keys");
        } else {
            tracing::warn!("the process could not be made non-dumpable");
        }
    });
}

/// Whether the process is non-dumpable now.
pub fn process_memory_protected() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: as above; PR_GET_DUMPABLE only returns a flag.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        dumpable == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_process_becomes_non_dumpable() {
        assert!(protect_process_memory());
        assert!(process_memory_protected());
    }
}
