//! The problems the health panel lists: set when their cause holds, cleared
//! when it is gone, one-off ones faded after a while; the most important first.

use super::Connection;
use crate::diagnosis::{Diagnosis, DiagnosisKind};
use crate::Millis;

impl Connection {
    pub(super) fn set_problem(&mut self, key: &str, p: Diagnosis) {
        match self
            .problems
            .iter_mut()
            .find(|(k, s, _)| *k == p.kind && s == key)
        {
            Some((_, _, held)) if *held == p => return,
            Some((_, _, held)) => *held = p,
            None => self.problems.push((p.kind, key.to_string(), p)),
        }
        self.publish_problems();
    }

    pub(super) fn set_transient(&mut self, now: Millis, p: Diagnosis) {
        let kind = p.kind;
        match self.transient_seen.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, seen)) => *seen = now,
            None => self.transient_seen.push((kind, now)),
        }
        self.set_problem("", p);
        self.changes.status = true;
    }

    /// One-off problems not seen for `transient_problem_ms` are gone.
    pub(super) fn fade_problems(&mut self, now: Millis) {
        let forget = self.policy.transient_problem_ms;
        let faded: Vec<DiagnosisKind> = self
            .transient_seen
            .iter()
            .filter(|(_, seen)| now >= seen.saturating_add(forget))
            .map(|(k, _)| *k)
            .collect();
        for kind in faded {
            self.transient_seen.retain(|(k, _)| *k != kind);
            self.clear_problem(kind);
        }
    }

    pub(super) fn clear_problem(&mut self, kind: DiagnosisKind) {
        let before = self.problems.len();
        self.problems.retain(|(k, _, _)| *k != kind);
        if self.problems.len() != before {
            self.publish_problems();
        }
    }

    pub(super) fn clear_problem_key(&mut self, kind: DiagnosisKind, key: &str) {
        let before = self.problems.len();
        self.problems.retain(|(k, s, _)| !(*k == kind && s == key));
        if self.problems.len() != before {
            self.publish_problems();
        }
    }

    pub(super) fn publish_problems(&mut self) {
        let mut list: Vec<&(DiagnosisKind, String, Diagnosis)> = self.problems.iter().collect();
        list.sort_by(|a, b| (a.2.severity, a.0, &a.1).cmp(&(b.2.severity, b.0, &b.1)));
        self.status.problems = list.into_iter().map(|(_, _, p)| p.clone()).collect();
        self.changes.status = true;
    }
}
