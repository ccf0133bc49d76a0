//! Memory sizes: reading them from text (`4GiB`, `500MB`, `1e9`), writing them for people, and
//! the memory this machine has available, which sets the default budget of exact inference.

use crate::{Error, Result};

/// Parses a byte count: a number, optionally with a decimal exponent or fraction, then an optional
/// unit: `B`, decimal `kB`/`KB`/`MB`/`GB`/`TB` (powers of 1000) or binary `KiB`/`MiB`/`GiB`/`TiB`
/// (powers of 1024); `K`, `M`, `G`, `T` alone are binary, as in `ulimit` and `free`. Case is
/// ignored, spaces between the number and the unit are allowed. The result is rounded down.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `parameter` when the text is not such a size, or is zero,
/// negative, not finite, or above `u64::MAX` bytes.
///
/// ```
/// use deepgm_core::memory::parse_bytes;
/// assert_eq!(parse_bytes("4GiB", "max_memory").unwrap(), 4 << 30);
/// assert_eq!(parse_bytes("500MB", "max_memory").unwrap(), 500_000_000);
/// assert_eq!(parse_bytes("1.5e9", "max_memory").unwrap(), 1_500_000_000);
/// assert!(parse_bytes("-1G", "max_memory").is_err());
/// ```
pub fn parse_bytes(text: &str, parameter: &str) -> Result<u64> {
    let expected = "a positive size such as 4GiB, 500MB or 2e9 (bytes)";
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0f64.powi(2),
        "g" | "gib" => 1024.0f64.powi(3),
        "t" | "tib" => 1024.0f64.powi(4),
        _ => return Err(Error::param(parameter, text, expected)),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| Error::param(parameter, text, expected))?;
    let bytes = value * scale;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(Error::param(parameter, text, expected));
    }
    Ok(bytes as u64)
}

/// A byte count for people: `512 B`, `1.5 KiB`, `330.2 MiB`, `11.4 GiB` (binary units, one
/// decimal).
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024.0 {
        return format!("{bytes:.0} B");
    }
    let mut value = bytes / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The fraction of the available memory that [`default_budget`] allows one computation.
pub const DEFAULT_BUDGET_FRACTION: f64 = 0.5;

/// The budget where the available memory cannot be read (not Linux): 4 GiB.
pub const FALLBACK_BUDGET: u64 = 4 << 30;

/// The default memory budget of a large computation (exact inference): half
/// ([`DEFAULT_BUDGET_FRACTION`]) of the memory available now, read on Linux from
/// `/proc/meminfo`'s `MemAvailable` and lowered to what a cgroup memory limit leaves
/// (`/sys/fs/cgroup/memory.max` minus `memory.current`); [`FALLBACK_BUDGET`] (4 GiB) where
/// neither can be read. Read once per process.
pub fn default_budget() -> u64 {
    static BUDGET: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| match available_memory() {
        Some(bytes) => ((bytes as f64 * DEFAULT_BUDGET_FRACTION) as u64).max(1),
        None => FALLBACK_BUDGET,
    })
}

/// The memory available to this process in bytes, where the system says (Linux), else `None`.
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = meminfo_field(&meminfo, "MemAvailable:")?;
    let cgroup = cgroup_room();
    Some(cgroup.map_or(available, |room| room.min(available)))
}

/// A `kB` field of `/proc/meminfo`, in bytes.
fn meminfo_field(meminfo: &str, name: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    kib.checked_mul(1024)
}

/// What a cgroup v2 memory limit leaves this process, when one is set.
fn cgroup_room() -> Option<u64> {
    let read = |name: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{name}")).ok();
    let max: u64 = read("memory.max")?.trim().parse().ok()?;
    let current: u64 = read("memory.current")
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    Some(max.saturating_sub(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_unit() {
        let cases = [
            ("1", 1),
            ("2048", 2048),
            ("1k", 1024),
            ("1 KiB", 1024),
            ("1kB", 1000),
            ("3MiB", 3 << 20),
            ("0.5GiB", 1 << 29),
            ("2G", 2 << 30),
            ("1TB", 1_000_000_000_000),
            ("2e9", 2_000_000_000),
            ("1.5E3 B", 1500),
        ];
        for (text, bytes) in cases {
            assert_eq!(parse_bytes(text, "max_memory").unwrap(), bytes, "{text}");
        }
    }

    #[test]
    fn bad_sizes_name_the_parameter() {
        for text in [
            "", "G", "-1", "0", "0.1", "1 XB", "nan", "inf", "1e30", "4 GiBs",
        ] {
            let err = parse_bytes(text, "max_memory").unwrap_err();
            assert_eq!(err.parameter(), Some("max_memory"), "{text}");
        }
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(format_bytes(512.0), "512 B");
        assert_eq!(format_bytes(1536.0), "1.5 KiB");
        assert_eq!(format_bytes(3.0 * (1u64 << 30) as f64), "3.0 GiB");
    }

    #[test]
    fn meminfo_is_read_in_bytes() {
        let text = "MemTotal:       24000000 kB\nMemAvailable:   12000000 kB\n";
        assert_eq!(
            meminfo_field(text, "MemAvailable:"),
            Some(12_000_000 * 1024)
        );
        assert_eq!(meminfo_field(text, "Missing:"), None);
    }

    #[test]
    fn the_default_budget_is_positive_and_below_what_is_available() {
        let budget = default_budget();
        assert!(budget > 0);
        if let Some(available) = available_memory() {
            assert!(budget <= available);
        }
    }
}
