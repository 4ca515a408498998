//! Active review time: how long the analyst worked on the open article, kept in its gold file
//! as `review_seconds`.
//!
//! The clock runs while an article is open and stops two minutes after the last key: each gap
//! between two keys (the first gap starts when the article opens) counts, up to [`IDLE`]. A
//! lunch break with the article open so costs two minutes, not an hour. Whole seconds are
//! added to the file at each save; the fraction, and the time of an article left without a
//! change to save, wait in the session for its next save.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Without a key for this long, the clock stops.
pub const IDLE: Duration = Duration::from_secs(120);

/// Where the time comes from: the system's monotonic clock, or one a test moves by hand.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<Instant>>>,
}

impl Clock {
    /// A clock that only moves when [`Clock::advance`] moves it (for tests).
    pub fn manual() -> Clock {
        Clock {
            manual: Some(Arc::new(Mutex::new(Instant::now()))),
        }
    }

    /// Now.
    pub fn now(&self) -> Instant {
        match &self.manual {
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
            None => Instant::now(),
        }
    }

    /// Moves a manual clock on by `by`; the system's clock moves by itself.
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.manual {
            let mut t = t.lock().unwrap_or_else(|e| e.into_inner());
            *t += by;
        }
    }
}

/// The active time of the articles of this session, not yet saved into their gold files.
#[derive(Clone, Debug)]
pub struct ActiveTime {
    /// The open article, and the time of its last key (or of its opening).
    open: Option<(String, Instant)>,
    /// Per article, active time counted and not saved yet.
    unsaved: HashMap<String, Duration>,
}

impl ActiveTime {
    /// No article open yet.
    pub fn new() -> ActiveTime {
        ActiveTime {
            open: None,
            unsaved: HashMap::new(),
        }
    }

    /// Article `id` is opened at `now`: the article open before it stops counting.
    pub fn open(&mut self, id: &str, now: Instant) {
        self.touch(now);
        self.open = Some((id.to_string(), now));
    }

    /// A key at `now`: the gap since the last one counts, up to [`IDLE`].
    pub fn touch(&mut self, now: Instant) {
        if let Some((id, last)) = &mut self.open {
            let gap = now.saturating_duration_since(*last).min(IDLE);
            *self.unsaved.entry(id.clone()).or_default() += gap;
            *last = now;
        }
    }

    /// Takes the whole seconds counted for `id` up to `now`, to be saved; the fraction stays.
    pub fn take_seconds(&mut self, id: &str, now: Instant) -> u64 {
        self.touch(now);
        let Some(d) = self.unsaved.get_mut(id) else {
            return 0;
        };
        let whole = d.as_secs();
        *d -= Duration::from_secs(whole);
        whole
    }

    /// Gives back seconds taken for a save that failed.
    pub fn give_back(&mut self, id: &str, seconds: u64) {
        *self.unsaved.entry(id.to_string()).or_default() += Duration::from_secs(seconds);
    }

    /// The active time of `id` this session has not saved yet, up to `now`, without taking it.
    pub fn pending(&self, id: &str, now: Instant) -> Duration {
        let counted = self.unsaved.get(id).copied().unwrap_or_default();
        match &self.open {
            Some((open, last)) if open == id => {
                counted + now.saturating_duration_since(*last).min(IDLE)
            }
            _ => counted,
        }
    }
}

impl Default for ActiveTime {
    fn default() -> Self {
        ActiveTime::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_between_keys_count_up_to_two_minutes() {
        let clock = Clock::manual();
        let mut t = ActiveTime::new();
        t.open("001", clock.now());
        clock.advance(Duration::from_secs(30));
        t.touch(clock.now());
        // Away for an hour: two minutes count.
        clock.advance(Duration::from_secs(3600));
        t.touch(clock.now());
        clock.advance(Duration::from_millis(10_500));
        assert_eq!(t.take_seconds("001", clock.now()), 30 + 120 + 10);
        // The half second waits for the next save.
        clock.advance(Duration::from_millis(600));
        assert_eq!(t.take_seconds("001", clock.now()), 1);
    }

    #[test]
    fn an_article_left_unsaved_keeps_its_time_for_its_next_save() {
        let clock = Clock::manual();
        let mut t = ActiveTime::new();
        t.open("001", clock.now());
        clock.advance(Duration::from_secs(40));
        t.open("002", clock.now());
        clock.advance(Duration::from_secs(5));
        assert_eq!(t.pending("001", clock.now()), Duration::from_secs(40));
        assert_eq!(t.pending("002", clock.now()), Duration::from_secs(5));
        assert_eq!(t.take_seconds("002", clock.now()), 5);
        t.open("001", clock.now());
        clock.advance(Duration::from_secs(2));
        assert_eq!(t.take_seconds("001", clock.now()), 42);
        t.give_back("001", 42);
        assert_eq!(t.take_seconds("001", clock.now()), 42);
    }

    #[test]
    fn the_system_clock_moves_by_itself() {
        let clock = Clock::default();
        let a = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() >= a);
        assert!(clock.now().duration_since(a) < Duration::from_secs(3600));
    }
}
