//! Reconnect delays: exponential from a base, full jitter, capped, retrying
//! forever, and forgotten once a connection has stayed up long enough.
//!
//! Pure: the random numbers come from an injected [`Xorshift64`], the time
//! from the caller. With the defaults the n-th consecutive failure waits a
//! uniformly random time in `[0, min(5000, 500 · 2ⁿ⁻¹)]` ms ("full jitter",
//! as in the AWS architecture blog's comparison of back-off strategies): a
//! crowd of dashboards reconnecting after a server restart spreads out
//! instead of arriving together.

use crate::Millis;

/// A tiny deterministic PRNG (Marsaglia's xorshift64). Good enough to spread
/// reconnects; not for anything secret. Seeded by the caller, so tests are
/// reproducible.
#[derive(Clone, Debug)]
pub struct Xorshift64 {
    state: u64,
}

impl Xorshift64 {
    /// A zero seed would stay zero forever; it is replaced by a fixed odd constant.
    pub fn new(seed: u64) -> Self {
        Xorshift64 {
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// Uniform in `0..=max` (the modulo bias is negligible for delays).
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        self.next_u64() % (max + 1)
    }
}

/// The numbers of the back-off; see [`crate::machine::Policy`] for the
/// settings they come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackoffConfig {
    /// The ceiling of the first delay, ms. Defaults to 500.
    pub base_ms: Millis,
    /// How much the ceiling grows per consecutive failure. Defaults to 2.
    pub factor: u32,
    /// The largest ceiling, ms. Defaults to 5000.
    pub cap_ms: Millis,
    /// A connection that stayed up this long resets the failure count, ms.
    /// Defaults to 5000.
    pub stable_reset_ms: Millis,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            base_ms: 500,
            factor: 2,
            cap_ms: 5000,
            stable_reset_ms: 5000,
        }
    }
}

/// Consecutive failures and the delays they earn.
#[derive(Clone, Debug)]
pub struct Backoff {
    config: BackoffConfig,
    failures: u32,
    connected_since: Option<Millis>,
}

impl Backoff {
    pub fn new(config: BackoffConfig) -> Self {
        Backoff {
            config,
            failures: 0,
            connected_since: None,
        }
    }

    pub fn config(&self) -> &BackoffConfig {
        &self.config
    }

    /// Consecutive failures since the last stable connection.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The ceiling of the next delay: `min(cap, base · factorⁿ)` for `n`
    /// failures so far, without overflow however long the outage lasts.
    pub fn ceiling(&self) -> Millis {
        let mut c = self.config.base_ms.min(self.config.cap_ms);
        for _ in 0..self.failures {
            if c >= self.config.cap_ms {
                break;
            }
            c = c
                .saturating_mul(u64::from(self.config.factor.max(1)))
                .min(self.config.cap_ms);
        }
        c
    }

    /// A connection attempt succeeded at `now` (for the stability clock).
    pub fn handle_connected(&mut self, now: Millis) {
        self.connected_since = Some(now);
    }

    /// A connection attempt failed, or a connection was lost, at `now`:
    /// returns how long to wait before the next attempt. A connection that
    /// had stayed up for `stable_reset_ms` first forgets earlier failures.
    pub fn handle_failure(&mut self, now: Millis, rng: &mut Xorshift64) -> Millis {
        if let Some(since) = self.connected_since.take() {
            if now.saturating_sub(since) >= self.config.stable_reset_ms {
                self.failures = 0;
            }
        }
        let delay = rng.up_to(self.ceiling());
        self.failures = self.failures.saturating_add(1);
        delay
    }

    /// Forget every failure (the user asked to reconnect, the network came back).
    pub fn reset(&mut self) {
        self.failures = 0;
        self.connected_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_from_500_to_the_cap_and_stay() {
        let mut b = Backoff::new(BackoffConfig::default());
        let mut rng = Xorshift64::new(1);
        let mut ceilings = Vec::new();
        for _ in 0..8 {
            ceilings.push(b.ceiling());
            b.handle_failure(0, &mut rng);
        }
        assert_eq!(ceilings, [500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);
    }

    #[test]
    fn delays_stay_within_zero_and_the_ceiling_forever() {
        let mut b = Backoff::new(BackoffConfig::default());
        let mut rng = Xorshift64::new(42);
        let mut saw_small = false;
        let mut saw_large = false;
        for _ in 0..10_000 {
            let ceiling = b.ceiling();
            let d = b.handle_failure(0, &mut rng);
            assert!(d <= ceiling && ceiling <= 5000);
            saw_small |= d < 500;
            saw_large |= d > 4500;
        }
        assert!(
            saw_small && saw_large,
            "full jitter spreads over the whole range"
        );
        assert_eq!(b.failures(), 10_000);
    }

    #[test]
    fn stable_connection_resets_but_a_short_one_does_not() {
        let mut b = Backoff::new(BackoffConfig::default());
        let mut rng = Xorshift64::new(7);
        for _ in 0..5 {
            b.handle_failure(0, &mut rng);
        }
        b.handle_connected(10_000);
        b.handle_failure(12_000, &mut rng); // up 2 s only: flapping, keep backing off
        assert_eq!(b.failures(), 6);
        b.handle_connected(20_000);
        let d = b.handle_failure(25_000, &mut rng); // up 5 s: stable
        assert!(d <= 500);
        assert_eq!(b.failures(), 1);
    }

    #[test]
    fn prng_is_deterministic_and_never_stuck_at_zero() {
        let mut a = Xorshift64::new(0);
        let mut b = Xorshift64::new(0);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert!(xs.iter().all(|&x| x != 0));
        assert_eq!(xs, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_eq!(Xorshift64::new(9).up_to(0), 0);
    }

    #[test]
    fn odd_configs_do_not_overflow_or_panic() {
        let cfg = BackoffConfig {
            base_ms: u64::MAX / 2,
            factor: 0,
            cap_ms: u64::MAX,
            stable_reset_ms: 0,
        };
        let mut b = Backoff::new(cfg);
        let mut rng = Xorshift64::new(3);
        for _ in 0..100 {
            b.handle_failure(0, &mut rng);
        }
        let cfg = BackoffConfig {
            base_ms: 0,
            factor: 2,
            cap_ms: 0,
            stable_reset_ms: 5000,
        };
        let mut b = Backoff::new(cfg);
        assert_eq!(b.handle_failure(0, &mut rng), 0);
    }
}
