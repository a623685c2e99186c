//! One shape for every state machine: the [`Lifecycle`] trait, implemented by each state enum
//! of the model (a customer's `status`, an account's `state`, a catalog entity's
//! `lifecycleStatus`, a product order's and its items' `state`, a product's `status`, a trouble
//! ticket's `status`, a customer bill's and a bill on demand request's `state`), and the one
//! check of a step, [`check_move`], whose refusal is a typed [`LifecycleError`] naming the
//! states.
//!
//! A lifecycle declares its table (the states that may follow each state, [`Lifecycle::next`]),
//! the states a resource may be created in, and which states are final; the checks are written
//! here once, and so are the laws every table must obey (tested for each lifecycle). Rules that
//! depend on more than the two states (a ticket's reopening window, an order's roll-up of its
//! items, a cancel request) stay with their domain and call [`check_move`] for the state step.
//!
//! Implementing one:
//!
//! ```
//! use sid_model::lifecycle::{Lifecycle, check_move};
//!
//! #[derive(Debug, Clone, Copy, PartialEq, Eq)]
//! enum Tier { Silver, Gold, Gone }
//!
//! impl std::fmt::Display for Tier {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str(self.name())
//!     }
//! }
//!
//! impl Lifecycle for Tier {
//!     const ENTITY: &'static str = "LoyaltyAccount";
//!     const ATTRIBUTE: &'static str = "tier";
//!     const STATES: &'static [Self] = &[Tier::Silver, Tier::Gold, Tier::Gone];
//!     const CREATE: &'static [Self] = &[Tier::Silver];
//!     const INITIAL: Self = Tier::Silver;
//!     const FINAL: &'static [Self] = &[Tier::Gone];
//!
//!     fn name(self) -> &'static str {
//!         match self { Tier::Silver => "silver", Tier::Gold => "gold", Tier::Gone => "gone" }
//!     }
//!
//!     fn next(self) -> &'static [Self] {
//!         match self {
//!             Tier::Silver => &[Tier::Gold, Tier::Gone],
//!             Tier::Gold => &[Tier::Silver, Tier::Gone],
//!             Tier::Gone => &[],
//!         }
//!     }
//! }
//!
//! assert!(check_move(Tier::Silver, Tier::Gold).is_ok());
//! let refused = check_move(Tier::Gone, Tier::Gold).expect_err("final");
//! assert_eq!(
//!     refused.to_string(),
//!     "LoyaltyAccount cannot go from 'gone' to 'gold'; allowed next states: none (the state is final)"
//! );
//! ```

use std::borrow::Cow;
use std::fmt;

/// A state machine over the states `Self`: its table and what the checks need to name.
///
/// Only [`next`](Lifecycle::next) and [`name`](Lifecycle::name) must be written, beside the
/// constants; the other methods have the usual defaults (staying in the current state is no
/// move and always allowed, states are read by their exact name).
pub trait Lifecycle: Copy + Eq + fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The entity whose state this is, as refusals name it (`"Customer"`); a refusal may name
    /// another ([`LifecycleError::of`]), such as the catalog type or the order item at hand.
    const ENTITY: &'static str;
    /// The attribute that holds the state (`"status"`), as refusals name it.
    const ATTRIBUTE: &'static str;
    /// Every state.
    const STATES: &'static [Self];
    /// The states a resource may be created in.
    const CREATE: &'static [Self];
    /// The state a resource is created in when none is given (one of [`CREATE`](Self::CREATE)).
    const INITIAL: Self;
    /// The final states: nothing can happen any more to what is in one (they have no next
    /// state; a state may have none without being final, when a domain rule moves it: an
    /// order item being cancelled follows its order rather than moving on its own).
    const FINAL: &'static [Self];
    /// States that no move of [`next`](Lifecycle::next) leads to, entered only by a domain rule
    /// that knows more than the two states (an order's cancel request); none by default.
    const ENTERED_BY_RULE: &'static [Self] = &[];

    /// The state's name on the wire.
    fn name(self) -> &'static str;

    /// The states that may follow this one, in one move.
    fn next(self) -> &'static [Self];

    /// Whether nothing can happen any more to what is in this state (one of
    /// [`FINAL`](Self::FINAL)).
    fn is_final(self) -> bool {
        Self::FINAL.contains(&self)
    }

    /// Whether a request for the state the resource is already in is accepted (as no move).
    fn may_stay(self) -> bool {
        true
    }

    /// Reads a state by its name; `None` for a name that is no state.
    fn parse(name: &str) -> Option<Self> {
        Self::STATES
            .iter()
            .copied()
            .find(|state| state.name() == name)
    }
}

/// The one check of a step from `from` to `to`: allowed when `to` is one of `from`'s next
/// states, or is `from` itself and the lifecycle lets a state stay.
pub fn check_move<S: Lifecycle>(from: S, to: S) -> Result<(), LifecycleError<S>> {
    if (from == to && from.may_stay()) || from.next().contains(&to) {
        return Ok(());
    }
    Err(LifecycleError::Move {
        entity: Cow::Borrowed(S::ENTITY),
        from,
        to,
        allowed: from.next(),
    })
}

/// Whether a resource may be created in `state`.
pub fn check_create<S: Lifecycle>(state: S) -> Result<(), LifecycleError<S>> {
    if S::CREATE.contains(&state) {
        return Ok(());
    }
    Err(LifecycleError::Create {
        entity: Cow::Borrowed(S::ENTITY),
        state,
        allowed: S::CREATE,
    })
}

/// A refused lifecycle step or start, naming the states.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError<S: Lifecycle> {
    /// A move the table does not allow (a conflict with the resource's state).
    #[error(
        "{entity} cannot go from '{}' to '{}'; allowed next states: {}",
        from.name(),
        to.name(),
        names(allowed, "none (the state is final)")
    )]
    Move {
        /// What was to move.
        entity: Cow<'static, str>,
        /// The state it is in.
        from: S,
        /// The state asked for.
        to: S,
        /// The states it may move to.
        allowed: &'static [S],
    },
    /// A state a resource cannot be created in (an invalid value).
    #[error(
        "'{}': a {entity} cannot be created '{}'; it starts in one of {}",
        S::ATTRIBUTE,
        state.name(),
        names(allowed, "none")
    )]
    Create {
        /// What was to be created.
        entity: Cow<'static, str>,
        /// The state asked for.
        state: S,
        /// The states it may start in.
        allowed: &'static [S],
    },
}

impl<S: Lifecycle> LifecycleError<S> {
    /// The same refusal, naming `entity` as what was to move or be created.
    pub fn of(mut self, entity: impl Into<Cow<'static, str>>) -> Self {
        match &mut self {
            Self::Move { entity: named, .. } | Self::Create { entity: named, .. } => {
                *named = entity.into();
            }
        }
        self
    }

    /// The states the refusal lists as allowed.
    pub fn allowed(&self) -> &'static [S] {
        match self {
            Self::Move { allowed, .. } | Self::Create { allowed, .. } => allowed,
        }
    }
}

fn names<S: Lifecycle>(states: &[S], none: &str) -> String {
    if states.is_empty() {
        return none.to_owned();
    }
    states
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The laws every lifecycle obeys, written once and instantiated for each lifecycle with
/// `lifecycle_laws!`.
#[cfg(test)]
pub(crate) mod laws {
    use std::collections::HashSet;
    use std::hash::Hash;

    use super::*;

    /// Checks every pair of states against the table, exhaustively.
    pub(crate) fn every_pair<S: Lifecycle + Hash>() {
        let states: HashSet<S> = S::STATES.iter().copied().collect();
        assert_eq!(states.len(), S::STATES.len(), "states are listed once");
        for &from in S::STATES {
            for &to in S::STATES {
                let listed = from.next().contains(&to) || (from == to && from.may_stay());
                match check_move(from, to) {
                    Ok(()) => assert!(listed, "{from} → {to} passes but is not in the table"),
                    Err(error) => {
                        assert!(!listed, "{from} → {to} is in the table but refused");
                        assert_eq!(error.allowed(), from.next(), "{from} → {to}");
                        let LifecycleError::Move {
                            from: named_from,
                            to: named_to,
                            ..
                        } = &error
                        else {
                            panic!("{from} → {to}: not a move refusal: {error}");
                        };
                        assert_eq!((*named_from, *named_to), (from, to));
                        let message = error.to_string();
                        assert!(message.contains(&format!("'{}'", from.name())), "{message}");
                        assert!(message.contains(&format!("'{}'", to.name())), "{message}");
                        for allowed in from.next() {
                            assert!(message.contains(allowed.name()), "{message}");
                        }
                    }
                }
            }
        }
    }

    /// Final states have no next state (and a state without one is final, or moved by a
    /// domain rule), tables only name states of the lifecycle, and a state does not list
    /// itself as a move.
    pub(crate) fn tables_are_well_formed<S: Lifecycle + Hash>() {
        assert!(S::FINAL.iter().all(|s| S::STATES.contains(s)));
        for &state in S::STATES {
            if state.is_final() {
                assert!(state.next().is_empty(), "final {state} has next states");
            } else if state.next().is_empty() {
                assert!(
                    S::ENTERED_BY_RULE.contains(&state),
                    "{state} has no next state, is not final, and no rule moves it"
                );
            }
            let next: HashSet<S> = state.next().iter().copied().collect();
            assert_eq!(
                next.len(),
                state.next().len(),
                "{state} lists a state twice"
            );
            assert!(!next.contains(&state), "{state} lists itself");
            assert!(next.iter().all(|s| S::STATES.contains(s)));
        }
        assert!(
            S::CREATE.contains(&S::INITIAL),
            "the initial state is a create state"
        );
        assert!(S::CREATE.iter().all(|s| S::STATES.contains(s)));
        for &state in S::STATES {
            assert_eq!(
                check_create(state).is_ok(),
                S::CREATE.contains(&state),
                "{state}"
            );
            if let Err(error) = check_create(state) {
                assert_eq!(error.allowed(), S::CREATE);
                assert!(error.to_string().contains(S::ATTRIBUTE), "{error}");
            }
        }
    }

    /// Every state is reached from a create state (or a state a domain rule enters) by moves
    /// of the table, and from every state a final one is reached, unless the lifecycle has no
    /// final state (an account of the future might cycle for ever; none does today).
    pub(crate) fn every_state_is_reachable_and_every_path_can_end<S: Lifecycle + Hash>() {
        let reach = |starts: &[S]| {
            let mut seen: HashSet<S> = starts.iter().copied().collect();
            let mut frontier: Vec<S> = starts.to_vec();
            while let Some(state) = frontier.pop() {
                for &following in state.next() {
                    if seen.insert(following) {
                        frontier.push(following);
                    }
                }
            }
            seen
        };
        let starts: Vec<S> = S::CREATE
            .iter()
            .chain(S::ENTERED_BY_RULE)
            .copied()
            .collect();
        let reached = reach(&starts);
        for &state in S::STATES {
            assert!(reached.contains(&state), "{state} cannot be reached");
        }
        if S::STATES.iter().any(|s| s.is_final()) {
            for &state in S::STATES {
                if state.next().is_empty() {
                    continue;
                }
                assert!(
                    reach(&[state]).iter().any(|s| s.is_final()),
                    "{state} never ends"
                );
            }
        }
    }

    /// Names are distinct and read back.
    pub(crate) fn names_round_trip<S: Lifecycle>() {
        for &state in S::STATES {
            assert_eq!(S::parse(state.name()), Some(state), "{state}");
            assert_eq!(state.to_string(), state.name());
        }
        assert_eq!(S::parse("no such state"), None);
    }

    /// A walk of allowed moves from a create state: each step passes the check, and a final
    /// state is never left.
    pub(crate) fn walk<S: Lifecycle>(start: usize, steps: &[usize]) {
        let mut state = S::CREATE[start % S::CREATE.len()];
        for step in steps {
            let next = state.next();
            if next.is_empty() {
                assert!(
                    S::STATES
                        .iter()
                        .all(|&to| to == state || check_move(state, to).is_err())
                );
                break;
            }
            let to = next[step % next.len()];
            assert!(check_move(state, to).is_ok(), "{state} → {to}");
            state = to;
        }
    }
}

/// Instantiates the laws of [`laws`] as tests of one lifecycle, in a module named `$name`.
#[cfg(test)]
macro_rules! lifecycle_laws {
    ($name:ident: $state:ty) => {
        mod $name {
            use proptest::prelude::*;

            #[allow(unused_imports)]
            use super::*;

            use $crate::lifecycle::laws;

            #[test]
            fn every_move_is_judged_by_the_table() {
                laws::every_pair::<$state>();
            }

            #[test]
            fn the_table_is_well_formed() {
                laws::tables_are_well_formed::<$state>();
            }

            #[test]
            fn every_state_is_reachable_and_every_path_can_end() {
                laws::every_state_is_reachable_and_every_path_can_end::<$state>();
            }

            #[test]
            fn names_round_trip() {
                laws::names_round_trip::<$state>();
            }

            proptest! {
                #[test]
                fn walks_of_allowed_moves_pass(start in 0usize..16, steps in proptest::collection::vec(0usize..16, 0..32)) {
                    laws::walk::<$state>(start, &steps);
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::account::AccountState;
    use crate::bill::{
        BillAdjustmentStateType, CustomerBillOnDemandStateType, CustomerBillStateType,
    };
    use crate::catalog::LifecycleStatus;
    use crate::customer::CustomerStatus;
    use crate::{
        ProductOrderItemStateType, ProductOrderStateType, ProductStatusType,
        TroubleTicketStatusType,
    };

    lifecycle_laws!(customer_status: CustomerStatus);
    lifecycle_laws!(account_state: AccountState);
    lifecycle_laws!(catalog_lifecycle_status: LifecycleStatus);
    lifecycle_laws!(product_order_state: ProductOrderStateType);
    lifecycle_laws!(product_order_item_state: ProductOrderItemStateType);
    lifecycle_laws!(product_status: ProductStatusType);
    lifecycle_laws!(trouble_ticket_status: TroubleTicketStatusType);
    lifecycle_laws!(customer_bill_state: CustomerBillStateType);
    lifecycle_laws!(customer_bill_on_demand_state: CustomerBillOnDemandStateType);
    lifecycle_laws!(bill_adjustment_state: BillAdjustmentStateType);
    lifecycle_laws!(sla_state: crate::SlaStateType);
}
