//! The signal and alert feeds: everything `after` the ids held, page by page,
//! and the evidence of a backend that started a new run (its `epoch`, its
//! newest ids), while live items wait for the verdict.

use std::collections::VecDeque;

use super::problems::ProblemKey;
use super::rest::InFlight;
use super::{Connection, RequestId, RestRequest};
use crate::diagnosis::Diagnosis;
use crate::live::{excerpt, LiveEvent};
use crate::model::ClipTexts;
use crate::store::{HasId, IdRing, Insert, Store};
use crate::Millis;

/// The two id feeds recovered with `after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Feed {
    Signals,
    Alerts,
}

impl Feed {
    pub(super) fn index(self) -> usize {
        self as usize
    }
    pub(super) fn request(self, after: Option<u64>) -> RestRequest {
        match self {
            Feed::Signals => RestRequest::Signals { after },
            Feed::Alerts => RestRequest::Alerts { after },
        }
    }
    pub(super) fn noun(self) -> &'static str {
        match self {
            Feed::Signals => "signal",
            Feed::Alerts => "alert",
        }
    }
}

/// What a signals/alerts fetch is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FeedQuery {
    /// Cold start: the newest, nothing counted as recovered.
    Initial,
    /// `after` the held ids, page by page; `reconnect`: right after a
    /// (re)connection, when a backend restart is likeliest.
    After { reconnect: bool },
    /// The newest, to compare with what is held: a new backend run shows
    /// as a held id with another event, or a newest id below the cursor.
    /// `resume`: the cursor when it was asked, to page on from when the
    /// newest page does not reach back to it (a cursor of the run the
    /// request was asked in, `InFlight::feed_run`).
    RestartCheck { resume: Option<u64> },
}

/// What recovery knows: each feed's queries, and the backend's run.
#[derive(Default)]
pub(super) struct Recovery {
    pub(super) feeds: [FeedState; 2],
    /// The backend's run (`/api/health` `epoch`), once it sent one.
    pub(super) epoch: Option<String>,
    /// Live signals and alerts are held back until then, while `/api/health`
    /// says whether the backend's epoch changed.
    pub(super) epoch_hold_until: Option<Millis>,
    /// Live signals and alerts held back, in arrival order.
    pub(super) held_live: VecDeque<LiveEvent>,
    /// A health check failed and is to be asked again.
    pub(super) health_wanted: bool,
    /// The cold start's alerts arrived: alerts from now on are news.
    pub(super) initial_alerts_loaded: bool,
}

#[derive(Default)]
pub(super) struct FeedState {
    pub(super) in_flight: Option<RequestId>,
    /// Live items of this feed are held back until then, while a check of
    /// the newest ids decides whether the backend started a new run.
    pub(super) hold_until: Option<Millis>,
    /// Another `after` query is wanted once the one in flight is done,
    /// from here (the smallest place asked for).
    pub(super) again_from: Option<Cursor>,
    pub(super) again_reconnect: bool,
    pub(super) check_wanted: bool,
    pub(super) last_check_at: Option<Millis>,
    /// The cold-start query failed: ask it again as such.
    pub(super) initial_wanted: bool,
    /// A new run was started from evidence since the last `/api/health`
    /// answer: an epoch change then is the same restart, not another.
    pub(super) fresh_run: bool,
}

impl FeedState {
    /// Wants another `after` query from `after`, or from the place already
    /// wanted if that is smaller, so that no gap opens between the two.
    fn want_again(&mut self, after: Option<u64>) {
        let from = Cursor::from(after);
        self.again_from = Some(self.again_from.map_or(from, |held| held.min(from)));
    }
}

/// Where an `after` query starts. Ordered as the ids it brings: the newest
/// page is below every id (it may bring anything).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Cursor {
    /// No `after`: the newest page.
    Newest,
    /// The ids above this one.
    After(u64),
}

impl Cursor {
    /// The `after` of the query.
    pub(super) fn after(self) -> Option<u64> {
        match self {
            Cursor::Newest => None,
            Cursor::After(id) => Some(id),
        }
    }
}

impl From<Option<u64>> for Cursor {
    fn from(after: Option<u64>) -> Self {
        after.map_or(Cursor::Newest, Cursor::After)
    }
}

impl Connection {
    /// A live signal or alert. Held back while a check of the backend's run
    /// is under way; a held id with another event starts a new run at once;
    /// an id below the cursor that is not held asks REST first (a late
    /// item, or a backend numbering from the start again). `decided`: the
    /// check is over, apply as it stands.
    pub(super) fn live_feed_item(&mut self, now: Millis, mut event: LiveEvent, decided: bool) {
        let feed = match &event {
            LiveEvent::Signal(_) => Feed::Signals,
            _ => Feed::Alerts,
        };
        if !decided {
            let first = match self.attempt.as_mut() {
                Some(a) if feed == Feed::Signals && !a.first_signal_seen => {
                    a.first_signal_seen = true;
                    true
                }
                Some(a) if feed == Feed::Alerts && !a.first_alert_seen => {
                    a.first_alert_seen = true;
                    true
                }
                _ => false,
            };
            if first {
                self.recover_feed(now, feed, false);
            }
            if self.holding(feed) {
                return self.hold_live(now, event);
            }
        }
        let (probe, id) = match &mut event {
            LiveEvent::Signal(s) => {
                s.clip_texts();
                (self.store.signals().probe(s), s.id)
            }
            LiveEvent::Alert(a) => {
                a.clip_texts();
                (self.store.alerts().probe(a), a.id)
            }
            _ => return,
        };
        let below_cursor = self.feed_max(feed).is_some_and(|m| id < m);
        match probe {
            Insert::Conflict => {
                let why = format!(
                    "live {} {id} differs from the {} {id} held",
                    feed.noun(),
                    feed.noun()
                );
                self.new_run(now, feed, &why);
            }
            // An id in a gap the ring knows of (Passed) is no such sign: a
            // REST page of newer ids came first, this one was on its way.
            Insert::New | Insert::TooOld if below_cursor && !decided => {
                self.recovery.feeds[feed.index()].hold_until =
                    Some(now.saturating_add(self.policy.run_check_hold_ms));
                self.want_restart_check(now, feed);
                return self.hold_live(now, event);
            }
            _ => {}
        }
        match event {
            LiveEvent::Signal(s) => {
                let put = self.store.put_signal(s, now);
                if put.is_new() || put == Insert::Moved {
                    self.changes.signals = true;
                }
            }
            LiveEvent::Alert(a) => {
                self.put_alert(now, a, true);
            }
            _ => {}
        }
    }

    fn holding(&self, feed: Feed) -> bool {
        self.recovery.epoch_hold_until.is_some()
            || self.recovery.feeds[feed.index()].hold_until.is_some()
    }

    fn hold_live(&mut self, now: Millis, event: LiveEvent) {
        self.recovery.held_live.push_back(event);
        if self.recovery.held_live.len() > self.policy.run_check_hold_max.max(1) {
            if let Some(oldest) = self.recovery.held_live.pop_front() {
                self.live_feed_item(now, oldest, true);
            }
        }
    }

    /// Applies the held live items whose feed is no longer held, in order.
    fn release_held(&mut self, now: Millis) {
        let held = std::mem::take(&mut self.recovery.held_live);
        for event in held {
            let feed = match &event {
                LiveEvent::Signal(_) => Feed::Signals,
                _ => Feed::Alerts,
            };
            if self.holding(feed) {
                self.recovery.held_live.push_back(event);
            } else {
                self.live_feed_item(now, event, true);
            }
        }
    }

    pub(super) fn end_feed_hold(&mut self, now: Millis, feed: Feed) {
        if self.recovery.feeds[feed.index()]
            .hold_until
            .take()
            .is_some()
        {
            self.release_held(now);
        }
    }

    pub(super) fn end_epoch_hold(&mut self, now: Millis) {
        if self.recovery.epoch_hold_until.take().is_some() {
            self.release_held(now);
        }
    }

    /// Asks `/api/health` whether the backend's epoch changed; while it is
    /// known to send one, live items wait for the answer.
    pub(super) fn check_epoch(&mut self, now: Millis) {
        self.recovery.health_wanted = false;
        let asked = self.fetch(now, RestRequest::Health, None).is_some()
            || self
                .rest
                .in_flight
                .iter()
                .any(|f| f.what == RestRequest::Health);
        if asked && self.recovery.epoch.is_some() {
            self.recovery.epoch_hold_until =
                Some(now.saturating_add(self.policy.run_check_hold_ms));
        }
    }

    /// The backend's ids of `feed` started again: a new run. The old rows
    /// stay, marked; the cursor starts afresh, so the next recovery asks
    /// for the new run's newest.
    fn new_run(&mut self, now: Millis, feed: Feed, evidence: &str) {
        match feed {
            Feed::Signals => self.store.signals_mut().start_run(),
            Feed::Alerts => self.store.alerts_mut().start_run(),
        }
        let state = &mut self.recovery.feeds[feed.index()];
        // A query wished for from the old cursor now starts from the newest.
        if state.again_from.is_some() {
            state.again_from = Some(Cursor::Newest);
        }
        state.last_check_at = Some(now);
        state.fresh_run = true;
        let p = Diagnosis::ids_restarted(feed.noun(), evidence);
        self.set_problem_for(ProblemKey::Feed(feed), p);
        match feed {
            Feed::Signals => self.changes.signals = true,
            Feed::Alerts => self.changes.alerts = true,
        }
    }

    fn feed_run(&self, feed: Feed) -> u32 {
        match feed {
            Feed::Signals => self.store.signals().run(),
            Feed::Alerts => self.store.alerts().run(),
        }
    }

    fn feed_max(&self, feed: Feed) -> Option<u64> {
        match feed {
            Feed::Signals => self.store.max_signal_id(),
            Feed::Alerts => self.store.max_alert_id(),
        }
    }

    pub(super) fn fetch_feed(
        &mut self,
        now: Millis,
        feed: Feed,
        after: Option<u64>,
        query: FeedQuery,
    ) {
        if !self.online {
            // Keep the place for when the network is back.
            return self.keep_place(now, feed, after, query);
        }
        if let Some(request) = self.fetch(now, feed.request(after), Some(query)) {
            self.recovery.feeds[feed.index()].in_flight = Some(request);
        }
    }

    /// Asks for everything after the highest id held, one query per feed
    /// at a time; a wish while one is in flight is remembered with the
    /// smallest `after`, so no gap opens between two queries. Right after a
    /// (re)connection, when a backend restart is likeliest, the newest page
    /// comes first: it shows a new run, and for a short gap it is the
    /// recovery itself.
    pub(super) fn recover_feed(&mut self, now: Millis, feed: Feed, mut reconnect: bool) {
        let mut from = self.feed_max(feed);
        let state = &mut self.recovery.feeds[feed.index()];
        if state.in_flight.is_none() {
            // A failed query left its place behind: start from there.
            if let Some(pending) = state.again_from.take() {
                from = Cursor::from(from).min(pending).after();
            }
            reconnect |= std::mem::take(&mut state.again_reconnect);
        }
        if state.in_flight.is_some() {
            state.want_again(from);
            state.again_reconnect |= reconnect;
            return;
        }
        if std::mem::take(&mut state.initial_wanted) {
            return self.fetch_feed(now, feed, None, FeedQuery::Initial);
        }
        if reconnect && from.is_some() {
            state.last_check_at = Some(now);
            state.check_wanted = false;
            let query = FeedQuery::RestartCheck { resume: from };
            return self.fetch_feed(now, feed, None, query);
        }
        self.fetch_feed(now, feed, from, FeedQuery::After { reconnect });
    }

    pub(super) fn want_restart_check(&mut self, now: Millis, feed: Feed) {
        if self.recovery.feeds[feed.index()].in_flight.is_some() {
            self.recovery.feeds[feed.index()].check_wanted = true;
        } else {
            self.check_newest(now, feed);
        }
    }

    /// Asks for the newest page now, to compare with the cursor held: the
    /// check of whether the backend started a new run.
    fn check_newest(&mut self, now: Millis, feed: Feed) {
        let state = &mut self.recovery.feeds[feed.index()];
        state.check_wanted = false;
        state.last_check_at = Some(now);
        let query = FeedQuery::RestartCheck {
            resume: self.feed_max(feed),
        };
        self.fetch_feed(now, feed, None, query);
    }

    pub(super) fn finish_feed_request(&mut self, req: &InFlight) {
        for state in &mut self.recovery.feeds {
            if state.in_flight == Some(req.request) {
                state.in_flight = None;
            }
        }
    }

    /// After a feed answer: the next page, a check of the newest ids, or a
    /// query wished for meanwhile. `nothing_new`: an `after` page that
    /// brought nothing above its `after`, and whether a new backend run is
    /// likely (right after a reconnection, or a page whose newest id fell
    /// below the cursor).
    fn continue_feed(
        &mut self,
        now: Millis,
        feed: Feed,
        next_page: Option<u64>,
        nothing_new: Option<bool>,
    ) {
        if let Some(after) = next_page {
            self.fetch_feed(
                now,
                feed,
                Some(after),
                FeedQuery::After { reconnect: false },
            );
            return;
        }
        let state = &mut self.recovery.feeds[feed.index()];
        let check_due = match nothing_new {
            Some(likely) => {
                likely
                    || state
                        .last_check_at
                        .is_none_or(|t| now.saturating_sub(t) >= self.policy.restart_check_ms)
            }
            None => false,
        };
        if (state.check_wanted || check_due) && self.feed_max(feed).is_some() {
            self.check_newest(now, feed);
            return;
        }
        let state = &mut self.recovery.feeds[feed.index()];
        if let Some(from) = state.again_from.take() {
            let reconnect = std::mem::take(&mut state.again_reconnect);
            self.fetch_feed(now, feed, from.after(), FeedQuery::After { reconnect });
        }
    }

    /// Remembers a feed query that could not be asked or answered, so that
    /// the next retry, poll or reconnection asks it again from its place.
    pub(super) fn keep_place(
        &mut self,
        now: Millis,
        feed: Feed,
        after: Option<u64>,
        query: FeedQuery,
    ) {
        let state = &mut self.recovery.feeds[feed.index()];
        match query {
            FeedQuery::Initial => state.initial_wanted = true,
            FeedQuery::After { reconnect } => {
                state.want_again(after);
                state.again_reconnect |= reconnect;
            }
            FeedQuery::RestartCheck { resume, .. } => {
                state.check_wanted = true;
                if resume.is_some() {
                    state.want_again(resume);
                }
                // No answer to wait for: what was held back goes on.
                self.end_feed_hold(now, feed);
            }
        }
    }

    /// `/api/health` answered: a changed epoch is a new backend run.
    pub(super) fn epoch_answered(&mut self, now: Millis, epoch: Option<String>) {
        if let Some(new) = epoch.map(|e| excerpt(&e, 120)) {
            if let Some(old) = self.recovery.epoch.clone().filter(|old| *old != new) {
                for feed in [Feed::Signals, Feed::Alerts] {
                    if !self.recovery.feeds[feed.index()].fresh_run {
                        let why = format!("/api/health epoch changed from {old:?} to {new:?}");
                        self.new_run(now, feed, &why);
                        self.recover_feed(now, feed, false);
                    }
                }
            }
            self.recovery.epoch = Some(new);
        }
        for state in &mut self.recovery.feeds {
            state.fresh_run = false;
        }
        self.end_epoch_hold(now);
    }

    /// Applies a page of signals or alerts: the new-run check, recovery
    /// counting and paging. `put(conn, now, item, fresh)` stores one item
    /// and says whether it was new.
    ///
    /// Paging goes on while a page brings ids above the `after` it asked
    /// with: a backend may cap its pages below `limit` (a short page is not
    /// the end) or ignore `after` (a page with nothing new ends it), so no
    /// backend can make the page ask forever or stop early.
    pub(super) fn feed_answered<T: HasId>(
        &mut self,
        now: Millis,
        feed: Feed,
        req: &InFlight,
        mut items: Vec<T>,
        ring: impl Fn(&Store) -> &IdRing<T>,
        put: impl Fn(&mut Self, Millis, T, bool) -> bool,
    ) {
        crate::sort::sort_by_key(&mut items, HasId::id);
        items.dedup_by_key(|i| i.id());
        let query = req
            .feed_query
            .unwrap_or(FeedQuery::After { reconnect: false });
        let page_min = items.first().map(HasId::id);
        let page_max = items.last().map(HasId::id);
        let mut started_run = false;
        // A query asked under an earlier backend run: its cursor is not one
        // of the current run.
        let asked_in_old_run = req.feed_run != self.feed_run(feed);
        if let FeedQuery::RestartCheck { resume } = query {
            // Compared with what was held when it was asked: live items
            // that came meanwhile are not a sign, nor a run that started since.
            let cursor = resume.filter(|_| !asked_in_old_run);
            let evidence =
                Self::new_run_evidence(feed, ring(&self.store), &items, page_max, cursor);
            if let Some(evidence) = evidence {
                self.new_run(now, feed, &evidence);
                started_run = true;
            }
        }
        // Every item of the page already taken in (live brought them while
        // it was asked): the page brought nothing new, and the paging ends
        // (docs/PROTOCOL.md). Items older than the full ring keeps count
        // as taken in (TooOld) unless the ring skipped over them (Passed:
        // new, and the paging goes on through the gap). Asked before the
        // items are put (they would all be held then), and only of an
        // `after` page, the one query that pages on.
        let all_held = matches!(query, FeedQuery::After { .. })
            && !items.is_empty()
            && items.iter().all(|i| {
                matches!(
                    ring(&self.store).probe(i),
                    Insert::Duplicate | Insert::TooOld
                )
            });
        // The newest page of a new backend run that nothing of was held yet
        // (the run was told by `/api/health`'s epoch): the run is read from
        // its start, as when the page itself shows the new run.
        let opens_new_run = self.feed_run(feed) > 0 && ring(&self.store).min_id().is_none();
        let counts = query != FeedQuery::Initial;
        let fresh = counts || self.recovery.initial_alerts_loaded;
        let mut recovered = 0;
        for item in items {
            if put(self, now, item, fresh) && counts {
                recovered += 1;
            }
        }
        if recovered > 0 {
            self.status.recovered += recovered;
            self.changes.status = true;
        }
        match query {
            FeedQuery::After { reconnect } => {
                let asked = req.after();
                let above = matches!((asked, page_max), (Some(a), Some(m)) if m > a);
                // The newest page of a new run nothing of was held (told by
                // `/api/health`'s epoch), or a page asked after an earlier
                // run's cursor: the ids below it are the new run's too.
                let old_cursor = asked_in_old_run && asked.is_some();
                if ((asked.is_none() && opens_new_run) || old_cursor)
                    && page_min.is_some_and(|m| m > 1)
                {
                    return self.continue_feed(now, feed, Some(0), None);
                }
                // Under a flood the live feed is ahead of any page: without
                // `all_held`, each answer (live ids that came while it was
                // asked) asked for the next, as long as the flood lasted.
                if above && !all_held {
                    return self.continue_feed(now, feed, page_max, None);
                }
                // Nothing new. A newest id below the cursor (a backend that
                // ignores `after`) hints at a new run: check.
                let below = matches!((asked, page_max), (Some(a), Some(m)) if m < a);
                self.continue_feed(now, feed, None, Some(reconnect || below));
            }
            FeedQuery::RestartCheck { resume } => {
                // The newest page may not reach back to the cursor (more
                // came meanwhile than a page holds): page on from there. A
                // new run, started by this page or since it was asked, is
                // read from its start.
                let new_run = started_run || asked_in_old_run;
                let next = match (new_run, resume, page_min) {
                    (true, _, Some(min)) if min > 1 => Some(0),
                    (false, Some(cursor), Some(min)) if min > cursor.saturating_add(1) => {
                        Some(cursor)
                    }
                    _ => None,
                };
                self.end_feed_hold(now, feed);
                self.continue_feed(now, feed, next, None);
            }
            FeedQuery::Initial => self.continue_feed(now, feed, None, None),
        }
    }

    /// Whether the newest page shows a new backend run: a held id with
    /// another event, or a newest id below the highest held.
    fn new_run_evidence<T: HasId>(
        feed: Feed,
        ring: &IdRing<T>,
        newest: &[T],
        page_max: Option<u64>,
        cursor: Option<u64>,
    ) -> Option<String> {
        let noun = feed.noun();
        let conflict = newest.iter().find(|i| ring.probe(i) == Insert::Conflict);
        if let Some(id) = conflict.map(HasId::id) {
            return Some(format!("REST's {noun} {id} is not the {noun} {id} held"));
        }
        match (page_max, cursor) {
            (Some(newest), Some(held)) if newest < held => Some(format!(
                "REST's newest {noun} id is {newest}, below the highest held ({held})"
            )),
            _ => None,
        }
    }
}
