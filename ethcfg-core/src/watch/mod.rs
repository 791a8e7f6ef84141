//! What `ethcfg watch` decides, without a kernel: when a re-apply against
//! another tool is one too many. After [`Damper::limit`] re-applies within
//! [`Damper::window`] on one interface, enforcing stops there (until the
//! interface appears again) so a fight never flaps a link forever.
//!
//! The window costs no timer: times are the callers' (the moment an event
//! arrived), so an idle watcher sleeps on its sockets.
//!
//! May use: nothing of the crate (times and interface indexes only).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Whether to re-apply on a drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Re-apply.
    Reapply,
    /// This re-apply would be one too many: stop enforcing on the
    /// interface (log it once, with the count and the window).
    Damp {
        /// Re-applies within the window.
        count: usize,
        /// The window.
        window: Duration,
    },
    /// Enforcing already stopped on this interface.
    Damped,
}

/// Re-apply counts per interface, over a sliding window.
#[derive(Debug, Clone)]
pub struct Damper {
    limit: usize,
    window: Duration,
    recent: HashMap<u32, VecDeque<Instant>>,
    damped: HashMap<u32, Instant>,
}

impl Damper {
    /// The default: 5 re-applies within 10 seconds.
    pub const DEFAULT_LIMIT: usize = 5;
    /// The default window.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(10);

    /// At most `limit` re-applies per interface within `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Damper { limit, window, recent: HashMap::new(), damped: HashMap::new() }
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// A drift on `ifindex` at `now`: whether to re-apply.
    pub fn drift(&mut self, ifindex: u32, now: Instant) -> Verdict {
        if self.damped.contains_key(&ifindex) {
            return Verdict::Damped;
        }
        let q = self.recent.entry(ifindex).or_default();
        while q
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.limit {
            let count = q.len();
            self.recent.remove(&ifindex);
            self.damped.insert(ifindex, now);
            return Verdict::Damp { count, window: self.window };
        }
        q.push_back(now);
        Verdict::Reapply
    }

    /// Whether enforcing stopped on `ifindex`.
    pub fn is_damped(&self, ifindex: u32) -> bool {
        self.damped.contains_key(&ifindex)
    }

    /// The interface appeared anew (or went away): start over.
    pub fn forget(&mut self, ifindex: u32) {
        self.recent.remove(&ifindex);
        self.damped.remove(&ifindex);
    }

    /// Forgets every interface `present` says is gone: after an overrun
    /// their removals may have been lost, and a long-running watcher must
    /// not keep state for every interface it ever saw.
    pub fn retain(&mut self, mut present: impl FnMut(u32) -> bool) {
        self.recent.retain(|i, _| present(*i));
        self.damped.retain(|i, _| present(*i));
    }

    /// How many interfaces it keeps state for.
    pub fn tracked(&self) -> usize {
        self.recent.len() + self.damped.len()
    }
}

impl Default for Damper {
    fn default() -> Self {
        Damper::new(Self::DEFAULT_LIMIT, Self::DEFAULT_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damps_after_the_limit_within_the_window_only() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut d = Damper::new(3, Duration::from_secs(1));
        assert_eq!(d.drift(7, ms(0)), Verdict::Reapply);
        assert_eq!(d.drift(7, ms(10)), Verdict::Reapply);
        assert_eq!(d.drift(7, ms(20)), Verdict::Reapply);
        // Another interface counts on its own.
        assert_eq!(d.drift(8, ms(20)), Verdict::Reapply);
        assert_eq!(
            d.drift(7, ms(30)),
            Verdict::Damp { count: 3, window: Duration::from_secs(1) }
        );
        assert!(d.is_damped(7));
        assert_eq!(d.drift(7, ms(5000)), Verdict::Damped);
        d.forget(7);
        assert_eq!(d.drift(7, ms(5000)), Verdict::Reapply);
    }

    #[test]
    fn gone_interfaces_are_forgotten() {
        let t0 = Instant::now();
        let mut d = Damper::new(1, Duration::from_secs(10));
        assert_eq!(d.drift(1, t0), Verdict::Reapply);
        assert_eq!(d.drift(2, t0), Verdict::Reapply);
        assert!(matches!(d.drift(2, t0), Verdict::Damp { .. }));
        assert_eq!(d.tracked(), 2);
        d.retain(|i| i == 1);
        assert_eq!(d.tracked(), 1);
        assert!(!d.is_damped(2));
        d.retain(|_| false);
        assert_eq!(d.tracked(), 0);
    }

    #[test]
    fn old_reapplies_leave_the_window() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        let mut d = Damper::new(2, Duration::from_secs(10));
        assert_eq!(d.drift(1, s(0)), Verdict::Reapply);
        assert_eq!(d.drift(1, s(5)), Verdict::Reapply);
        assert_eq!(d.drift(1, s(16)), Verdict::Reapply);
        assert_eq!(d.drift(1, s(20)), Verdict::Reapply);
        assert_eq!(
            d.drift(1, s(21)),
            Verdict::Damp { count: 2, window: Duration::from_secs(10) }
        );
    }
}
