//! The problems the health panel lists: set when their cause holds, cleared
//! when it is gone, one-off ones faded after a while; the most important first.

use super::recovery::Feed;
use super::Connection;
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::Millis;

/// Which one of its kind a problem is. Most kinds are held once; a few once
/// per thing they are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ProblemKey {
    /// The one problem of its kind.
    Only,
    /// One per feed: a new backend run of the signals is not one of the alerts.
    Feed(Feed),
    /// One per REST endpoint (`/api/signals`, as [`RestRequest::endpoint`]
    /// names it): HTTP errors, unreadable answers.
    ///
    /// [`RestRequest::endpoint`]: super::RestRequest::endpoint
    Endpoint(&'static str),
    /// One per handshake field (`pingInterval`) whose value had to be clamped.
    HandshakeField(&'static str),
}

impl ProblemKey {
    /// What tells problems of one kind apart in the list: they are shown in
    /// the order of these names.
    fn name(self) -> &'static str {
        match self {
            ProblemKey::Only => "",
            ProblemKey::Feed(feed) => feed.noun(),
            ProblemKey::Endpoint(endpoint) => endpoint,
            ProblemKey::HandshakeField(field) => field,
        }
    }
}

/// The problems that hold now, and when each one-off problem was last seen.
#[derive(Default)]
pub(super) struct Problems {
    held: Vec<(ProblemKey, Diagnosis)>,
    /// Malformed frames, server error messages, a wrong backend clock: they
    /// fade `transient_problem_ms` after they were last seen.
    transient_seen: Vec<(DiagnosisKind, Millis)>,
}

impl Problems {
    /// Holds `p` as the problem of its kind and `key`; false when it already was.
    fn set(&mut self, key: ProblemKey, p: Diagnosis) -> bool {
        match self
            .held
            .iter_mut()
            .find(|(k, held)| held.kind == p.kind && *k == key)
        {
            Some((_, held)) if *held == p => false,
            Some((_, held)) => {
                *held = p;
                true
            }
            None => {
                self.held.push((key, p));
                true
            }
        }
    }

    /// Drops the problems of `kind` (only the one of `key`, if given); false
    /// when there were none.
    fn clear(&mut self, kind: DiagnosisKind, key: Option<ProblemKey>) -> bool {
        let before = self.held.len();
        self.held
            .retain(|(k, p)| !(p.kind == kind && key.is_none_or(|key| *k == key)));
        self.held.len() != before
    }

    fn seen(&mut self, kind: DiagnosisKind, now: Millis) {
        match self.transient_seen.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, seen)) => *seen = now,
            None => self.transient_seen.push((kind, now)),
        }
    }

    /// When the next one-off problem fades, `forget` ms after it was seen.
    pub(super) fn next_fade(&self, forget: Millis) -> Option<Millis> {
        self.transient_seen
            .iter()
            .map(|(_, seen)| seen.saturating_add(forget))
            .min()
    }

    /// The one-off problems not seen for `forget` ms, forgotten as seen.
    fn take_faded(&mut self, now: Millis, forget: Millis) -> Vec<DiagnosisKind> {
        let faded: Vec<DiagnosisKind> = self
            .transient_seen
            .iter()
            .filter(|(_, seen)| now >= seen.saturating_add(forget))
            .map(|(k, _)| *k)
            .collect();
        self.transient_seen.retain(|(k, _)| !faded.contains(k));
        faded
    }

    /// The most important first: by severity, then kind, then key.
    fn listed(&self) -> Vec<Diagnosis> {
        let mut list: Vec<&(ProblemKey, Diagnosis)> = self.held.iter().collect();
        crate::sort::sort_by_key(&mut list, |(key, p)| (p.severity, p.kind, key.name()));
        list.into_iter().map(|(_, p)| p.clone()).collect()
    }
}

impl Connection {
    /// `p` holds (the one problem of its kind).
    pub(super) fn set_problem(&mut self, p: Diagnosis) {
        self.set_problem_for(ProblemKey::Only, p);
    }

    /// `p` holds for `key` (one of several of its kind).
    pub(super) fn set_problem_for(&mut self, key: ProblemKey, p: Diagnosis) {
        if self.problems.set(key, p) {
            self.publish_problems();
        }
    }

    /// A one-off problem was seen now; it fades if it is not seen again.
    pub(super) fn set_transient(&mut self, now: Millis, p: Diagnosis) {
        self.problems.seen(p.kind, now);
        self.set_problem(p);
        self.changes.status = true;
    }

    /// One-off problems not seen for `transient_problem_ms` are gone.
    pub(super) fn fade_problems(&mut self, now: Millis) {
        let forget = self.policy.transient_problem_ms;
        for kind in self.problems.take_faded(now, forget) {
            self.clear_problem(kind);
        }
    }

    /// Every problem of `kind` is gone.
    pub(super) fn clear_problem(&mut self, kind: DiagnosisKind) {
        if self.problems.clear(kind, None) {
            self.publish_problems();
        }
    }

    /// The problem of `kind` for `key` is gone.
    pub(super) fn clear_problem_for(&mut self, kind: DiagnosisKind, key: ProblemKey) {
        if self.problems.clear(kind, Some(key)) {
            self.publish_problems();
        }
    }

    fn publish_problems(&mut self) {
        self.status.problems = self.problems.listed();
        self.changes.status = true;
    }
}
