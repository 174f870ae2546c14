//! Postponement: to make room for urgent news, move one entry or everything scheduled
//! in a period to the next free times inside business hours, keeping their order and, on
//! each account, a minimum spacing from every other publication. Pure: the caller shows the
//! proposed times, and the store records them once confirmed.

use jiff::{SignedDuration, Timestamp};

use super::entry::EntryId;
use crate::business_time::{BusinessCalendar, BusinessTimeError};

/// A scheduled publication on one account (the planner keeps entries on the same account
/// apart; the account is the network, or the network and handle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledItem {
    pub entry_id: EntryId,
    pub account: String,
    pub at: Timestamp,
}

/// What to move, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostponeRequest {
    pub to_move: Vec<EntryId>,
    /// No new time before this (the end of the urgent news' slot).
    pub not_before: Timestamp,
    /// Minimum time between two publications on the same account.
    pub spacing: SignedDuration,
    /// Proposed times fall on this grid (15 minutes by default).
    pub grid: SignedDuration,
}

/// One proposed move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedMove {
    pub entry_id: EntryId,
    pub from: Timestamp,
    pub to: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostponeError {
    #[error("la publication {0} n'est pas au calendrier")]
    NotScheduled(EntryId),
    #[error("l'espacement et la grille doivent être positifs")]
    BadSpacing,
    #[error("aucun créneau libre trouvé dans les heures d'ouverture")]
    NoFreeSlot,
    #[error("calendrier des heures d'ouverture : {0}")]
    Calendar(String),
}

impl PostponeError {
    pub fn code(&self) -> &'static str {
        match self {
            PostponeError::NotScheduled(_) => "not_scheduled",
            PostponeError::BadSpacing => "bad_spacing",
            PostponeError::NoFreeSlot => "no_free_slot",
            PostponeError::Calendar(_) => "calendar_error",
        }
    }
}

impl From<BusinessTimeError> for PostponeError {
    fn from(error: BusinessTimeError) -> Self {
        PostponeError::Calendar(error.to_string())
    }
}

fn round_up(at: Timestamp, grid: SignedDuration) -> Timestamp {
    let grid_seconds = grid.as_secs().max(1);
    let seconds = at.as_second();
    let has_fraction = at.subsec_nanosecond() != 0;
    let remainder = seconds.rem_euclid(grid_seconds);
    let rounded = if remainder == 0 && !has_fraction {
        seconds
    } else {
        seconds - remainder + grid_seconds
    };
    Timestamp::from_second(rounded).unwrap_or(at)
}

/// Proposes new times for `request.to_move`, in their current order, each at or after its
/// current time and `not_before`, on the grid, inside business hours, after the previous
/// moved entry, and at least `spacing` away from every other publication on its account.
pub fn plan_postponement(
    scheduled: &[ScheduledItem],
    request: &PostponeRequest,
    calendar: &BusinessCalendar,
) -> Result<Vec<PlannedMove>, PostponeError> {
    if !request.spacing.is_positive() || !request.grid.is_positive() {
        return Err(PostponeError::BadSpacing);
    }
    let mut moving: Vec<&ScheduledItem> = Vec::new();
    for id in &request.to_move {
        let item = scheduled
            .iter()
            .find(|item| item.entry_id == *id)
            .ok_or(PostponeError::NotScheduled(*id))?;
        if !moving.iter().any(|m| m.entry_id == *id) {
            moving.push(item);
        }
    }
    moving.sort_by_key(|item| (item.at, item.entry_id));
    // Everything that stays where it is, then each placed entry as it is placed.
    let mut occupied: Vec<(String, Timestamp)> = scheduled
        .iter()
        .filter(|item| !moving.iter().any(|m| m.entry_id == item.entry_id))
        .map(|item| (item.account.clone(), item.at))
        .collect();
    let mut moves = Vec::with_capacity(moving.len());
    let mut previous: Option<Timestamp> = None;
    for item in moving {
        let mut candidate = item.at.max(request.not_before);
        if let Some(previous) = previous {
            candidate = candidate.max(previous + request.grid);
        }
        let mut placed = None;
        for _ in 0..100_000 {
            let on_grid = round_up(candidate, request.grid);
            let open = calendar.clock_start(on_grid)?;
            if open != on_grid {
                candidate = open;
                continue;
            }
            let clash = occupied
                .iter()
                .filter(|(account, at)| {
                    *account == item.account && at.duration_since(on_grid).abs() < request.spacing
                })
                .map(|(_, at)| *at)
                .max();
            match clash {
                Some(at) => candidate = at + request.spacing,
                None => {
                    placed = Some(on_grid);
                    break;
                }
            }
        }
        let to = placed.ok_or(PostponeError::NoFreeSlot)?;
        occupied.push((item.account.clone(), to));
        previous = Some(to);
        moves.push(PlannedMove {
            entry_id: item.entry_id,
            from: item.at,
            to,
        });
    }
    Ok(moves)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::profile::Profile;
    use proptest::prelude::*;

    fn calendar() -> BusinessCalendar {
        crate::deadlines::business_calendar(&Profile::preset("mamh").unwrap(), Vec::new()).unwrap()
    }

    /// A Toronto civil time as an instant.
    fn at(text: &str) -> Timestamp {
        text.parse::<jiff::civil::DateTime>()
            .unwrap()
            .in_tz("America/Toronto")
            .unwrap()
            .timestamp()
    }

    fn item(id: i64, account: &str, when: &str) -> ScheduledItem {
        ScheduledItem {
            entry_id: EntryId::new(id),
            account: account.into(),
            at: at(when),
        }
    }

    fn request(ids: &[i64], not_before: &str) -> PostponeRequest {
        PostponeRequest {
            to_move: ids.iter().map(|id| EntryId::new(*id)).collect(),
            not_before: at(not_before),
            spacing: SignedDuration::from_mins(60),
            grid: SignedDuration::from_mins(15),
        }
    }

    #[test]
    fn one_entry_moves_past_the_urgent_news_and_an_occupied_slot() {
        // Wednesday 2026-03-11. Entry 1 at 10:00 on Facebook must leave room until 11:00;
        // entry 2 already holds Facebook at 11:30, so 1 goes to 12:30... which is the lunch
        // hour (12:00–13:00 closed in the MAMH profile): 13:00.
        let items = [
            item(1, "facebook", "2026-03-11T10:00"),
            item(2, "facebook", "2026-03-11T11:30"),
        ];
        let moves =
            plan_postponement(&items, &request(&[1], "2026-03-11T11:00"), &calendar()).unwrap();
        assert_eq!(
            moves,
            vec![PlannedMove {
                entry_id: EntryId::new(1),
                from: at("2026-03-11T10:00"),
                to: at("2026-03-11T13:00")
            }]
        );
    }

    #[test]
    fn a_period_moves_in_order_keeping_spacing_and_skipping_the_evening_and_holidays() {
        // Thursday 2026-04-02, three entries between 14:00 and 15:00; the urgent news takes
        // the afternoon until 16:00. 1 takes 16:00, 2 (X) 16:15 (after 1, order kept); 3
        // would come at 16:30, the closing time. Good Friday (2026-04-03), the weekend and
        // Easter Monday (2026-04-06) are closed: Tuesday 8:30.
        let items = [
            item(1, "facebook", "2026-04-02T14:00"),
            item(2, "x", "2026-04-02T14:30"),
            item(3, "facebook", "2026-04-02T15:00"),
        ];
        let moves = plan_postponement(
            &items,
            &request(&[3, 1, 2], "2026-04-02T16:00"),
            &calendar(),
        )
        .unwrap();
        let times: Vec<(i64, Timestamp)> = moves.iter().map(|m| (m.entry_id.get(), m.to)).collect();
        assert_eq!(
            times,
            vec![
                (1, at("2026-04-02T16:00")),
                (2, at("2026-04-02T16:15")),
                (3, at("2026-04-07T08:30")),
            ]
        );
    }

    #[test]
    fn unknown_entries_and_bad_spacing_are_refused() {
        let items = [item(1, "facebook", "2026-03-11T10:00")];
        assert_eq!(
            plan_postponement(&items, &request(&[9], "2026-03-11T11:00"), &calendar())
                .unwrap_err()
                .code(),
            "not_scheduled"
        );
        let mut bad = request(&[1], "2026-03-11T11:00");
        bad.spacing = SignedDuration::ZERO;
        assert_eq!(
            plan_postponement(&items, &bad, &calendar()).unwrap_err(),
            PostponeError::BadSpacing
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn no_two_entries_share_an_account_and_time_and_order_holds(
            slots in proptest::collection::vec((0usize..3, 0i64..(14 * 24 * 4)), 1..25),
            pick in proptest::collection::vec(any::<bool>(), 25),
            delay_quarters in 0i64..(7 * 24 * 4),
        ) {
            let accounts = ["facebook", "x", "linkedin"];
            let base = at("2026-03-02T00:00");
            let mut items: Vec<ScheduledItem> = Vec::new();
            for (index, (account, quarter)) in slots.iter().enumerate() {
                let when = base + SignedDuration::from_mins(15 * quarter);
                if items.iter().any(|i| i.account == accounts[*account] && i.at == when) { continue; }
                items.push(ScheduledItem { entry_id: EntryId::new(index as i64), account: accounts[*account].into(), at: when });
            }
            let to_move: Vec<EntryId> = items.iter().zip(&pick).filter(|(_, p)| **p).map(|(i, _)| i.entry_id).collect();
            let not_before = base + SignedDuration::from_mins(15 * delay_quarters);
            let request = PostponeRequest { to_move: to_move.clone(), not_before, spacing: SignedDuration::from_mins(30), grid: SignedDuration::from_mins(15) };
            let calendar = calendar();
            let moves = plan_postponement(&items, &request, &calendar).unwrap();
            prop_assert_eq!(moves.len(), to_move.len());
            let mut after: Vec<ScheduledItem> = items.clone();
            for planned in &moves {
                prop_assert!(planned.to >= planned.from && planned.to >= not_before);
                prop_assert!(calendar.is_business_instant(planned.to).unwrap());
                let slot = after.iter_mut().find(|i| i.entry_id == planned.entry_id).unwrap();
                slot.at = planned.to;
            }
            // Order preserved: sorted by old time, the new times strictly increase.
            for pair in moves.windows(2) {
                prop_assert!(pair[0].from <= pair[1].from && pair[0].to < pair[1].to);
            }
            // No moved entry shares an account and a time with anything else.
            for planned in &moves {
                let mine = after.iter().find(|i| i.entry_id == planned.entry_id).unwrap();
                for other in &after {
                    if other.entry_id != mine.entry_id && other.account == mine.account {
                        prop_assert!(other.at.duration_since(mine.at).abs() >= SignedDuration::from_mins(30), "{:?} vs {:?}", mine, other);
                    }
                }
            }
        }
    }
}
