//! The TMF622 rules over more than two states: an order's state follows from its items'
//! states ([`roll_up`]), and a client's request moves both ([`apply_request`]). The tables of
//! single steps are the [`Lifecycle`] impls of [`OrderState`] and [`ItemState`]; an order
//! moves `acknowledged → inProgress → completed | failed | partial`, may be paused (`pending`,
//! `held`) and resumed, may be `rejected` before work starts, and is cancelled only through a
//! `cancelProductOrder` (`assessingCancellation → pendingCancellation → cancelled`), which a
//! completed (or otherwise finished) order refuses.

use std::borrow::Cow;

use crate::lifecycle::{Lifecycle, LifecycleError, check_move};
use crate::{ProductOrderItemStateType as ItemState, ProductOrderStateType as OrderState};

/// Why a request to move an order (or its items) is refused: every variant is a conflict
/// with the order's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderMoveError {
    /// A move of the order its table does not allow (or items moving it into or out of a
    /// cancellation, which only a cancel request does).
    #[error(transparent)]
    Order(#[from] LifecycleError<OrderState>),
    /// A move of one item its table does not allow (naming the item).
    #[error(transparent)]
    Item(LifecycleError<ItemState>),
    /// The order was asked for a state its items do not add up to.
    #[error("the order cannot be '{to}': its items add up to '{rolled}'")]
    ItemsAddUp {
        /// The state asked for.
        to: OrderState,
        /// The state the items add up to.
        rolled: OrderState,
    },
}

/// The order state its items' states add up to; `None` for an order without items.
///
/// Finished items count by outcome, cancelled and rejected ones aside: all completed is
/// `completed`, all failed `failed`, some of each `partial`; when every item was cancelled or
/// rejected, `rejected` if all were rejected, else `cancelled`. While any item is
/// unfinished, the order is in the most advanced state of its unfinished items
/// (`inProgress` before `pending` before `held` before `acknowledged`), and in the
/// cancellation state while any item is.
pub fn roll_up(items: &[ItemState]) -> Option<OrderState> {
    use ItemState as I;
    if items.is_empty() {
        return None;
    }
    let any = |state: I| items.contains(&state);
    if any(I::PendingCancellation) {
        return Some(OrderState::PendingCancellation);
    }
    if any(I::AssessingCancellation) {
        return Some(OrderState::AssessingCancellation);
    }
    for (item, order) in [
        (I::InProgress, OrderState::InProgress),
        (I::Pending, OrderState::Pending),
        (I::Held, OrderState::Held),
        (I::Acknowledged, OrderState::Acknowledged),
    ] {
        if any(item) {
            // Unfinished work left; finished items alongside mean work has started.
            let started = items.iter().any(|s| s.is_final());
            return Some(if started && order == OrderState::Acknowledged {
                OrderState::InProgress
            } else {
                order
            });
        }
    }
    // Every item is finished; cancelled and rejected items do not count towards the outcome.
    let outcomes: Vec<I> = items
        .iter()
        .copied()
        .filter(|s| !matches!(s, I::Cancelled | I::Rejected))
        .collect();
    if outcomes.is_empty() {
        return Some(if items.iter().all(|s| *s == I::Rejected) {
            OrderState::Rejected
        } else {
            OrderState::Cancelled
        });
    }
    let completed = outcomes.iter().filter(|s| **s == I::Completed).count();
    Some(if completed == outcomes.len() {
        OrderState::Completed
    } else if completed == 0 {
        OrderState::Failed
    } else {
        OrderState::Partial
    })
}

/// Applies a client's request to an order in state `order` whose items are in `items`: the
/// order's requested state (`None`: not asked) and each item's (`None`: not asked). Returns
/// the order's new state and its items'.
///
/// Each requested move is checked against its table (409 otherwise). When the order itself
/// is moved, its unfinished items that were not moved explicitly follow it, and the items
/// must then add up to the requested state (moving an order with a failed item to
/// `completed` is refused: that order is `partial`). When only items move, the order takes
/// the state they add up to. Within a cancellation the items simply follow the order.
pub fn apply_request(
    order: OrderState,
    items: &[ItemState],
    requested: Option<OrderState>,
    item_requests: &[Option<ItemState>],
    names: &[&str],
) -> Result<(OrderState, Vec<ItemState>), OrderMoveError> {
    let mut after = items.to_vec();
    for ((state, request), name) in after.iter_mut().zip(item_requests).zip(names) {
        if let Some(to) = request {
            check_move(*state, *to).map_err(|refused| {
                OrderMoveError::Item(refused.of(format!("productOrderItem '{name}'")))
            })?;
            *state = *to;
        }
    }
    let Some(to) = requested.filter(|to| *to != order) else {
        let rolled = roll_up(&after).unwrap_or(order);
        if rolled != order && (order.is_cancelling() || rolled.is_cancelling()) {
            // Items do not move an order into or out of a cancellation.
            return Err(OrderMoveError::Order(LifecycleError::Move {
                entity: Cow::Borrowed(OrderState::ENTITY),
                from: order,
                to: rolled,
                allowed: &[],
            }));
        }
        return Ok((rolled, after));
    };
    check_move(order, to)?;
    if let Some(follow) = to.item_state() {
        for ((state, before), request) in after.iter_mut().zip(items).zip(item_requests) {
            if request.is_none() && !before.is_final() {
                *state = follow;
            }
        }
    }
    if to.is_cancelling() || to == OrderState::Cancelled {
        return Ok((to, after));
    }
    match roll_up(&after) {
        Some(rolled) if rolled != to => Err(OrderMoveError::ItemsAddUp { to, rolled }),
        _ => Ok((to, after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn order_state() -> impl Strategy<Value = OrderState> {
        proptest::sample::select(OrderState::ALL.to_vec())
    }

    fn item_state() -> impl Strategy<Value = ItemState> {
        proptest::sample::select(ItemState::ALL.to_vec())
    }

    #[test]
    fn the_issue_s_path_is_allowed() {
        use OrderState::*;
        for (from, to) in [
            (Acknowledged, InProgress),
            (InProgress, Completed),
            (InProgress, Failed),
            (InProgress, Partial),
            (InProgress, Pending),
            (Pending, InProgress),
            (InProgress, Held),
            (Held, InProgress),
            (Acknowledged, Rejected),
            (AssessingCancellation, PendingCancellation),
            (AssessingCancellation, InProgress),
            (PendingCancellation, Cancelled),
        ] {
            assert!(check_move(from, to).is_ok(), "{from} → {to}");
        }
        for (from, to) in [
            (Completed, Cancelled),
            (Completed, InProgress),
            (Acknowledged, Completed),
            (InProgress, Cancelled),
            (Failed, InProgress),
            (Acknowledged, AssessingCancellation),
            (PendingCancellation, InProgress),
            (AssessingCancellation, Cancelled),
        ] {
            assert!(check_move(from, to).is_err(), "{from} → {to}");
        }
    }

    proptest! {
        #[test]
        fn a_cancellation_is_entered_only_through_a_cancel_request(from in order_state()) {
            use OrderState::*;
            for to in [Cancelled, AssessingCancellation, PendingCancellation] {
                if from != to && !from.is_cancelling() {
                    prop_assert!(check_move(from, to).is_err());
                }
            }
        }

        #[test]
        fn a_request_moves_states_only_as_the_tables_allow(
            items in proptest::collection::vec(item_state(), 1..6),
            requested in proptest::option::of(order_state()),
            item_requests in proptest::collection::vec(proptest::option::of(item_state()), 6),
        ) {
            let order = roll_up(&items).expect("items");
            let requests = &item_requests[..items.len()];
            let names = ["1", "2", "3", "4", "5", "6"];
            match apply_request(order, &items, requested, requests, &names[..items.len()]) {
                Ok((to, after)) => {
                    // Asking for the state the order is in is no move.
                    if let Some(requested) = requested.filter(|r| *r != order) {
                        prop_assert!(check_move(order, requested).is_ok());
                        prop_assert_eq!(to, requested);
                    }
                    for ((before, after), request) in items.iter().zip(&after).zip(requests) {
                        if before.is_final() {
                            prop_assert_eq!(before, after, "a finished item never changes");
                        }
                        if let Some(request) = request {
                            prop_assert!(check_move(*before, *request).is_ok());
                            prop_assert_eq!(after, request);
                        }
                    }
                    if !to.is_cancelling() && to != OrderState::Cancelled {
                        prop_assert_eq!(roll_up(&after), Some(to), "the order agrees with its items");
                    }
                }
                Err(OrderMoveError::Order(LifecycleError::Move { .. })
                    | OrderMoveError::Item(LifecycleError::Move { .. })
                    | OrderMoveError::ItemsAddUp { .. }) => {}
                Err(other) => prop_assert!(false, "not a refused move: {other}"),
            }
        }

        #[test]
        fn the_roll_up_is_consistent(items in proptest::collection::vec(item_state(), 1..8)) {
            let order = roll_up(&items).expect("items");
            let all = |s: ItemState| items.iter().all(|i| *i == s);
            if all(ItemState::Completed) { prop_assert_eq!(order, OrderState::Completed); }
            if all(ItemState::Failed) { prop_assert_eq!(order, OrderState::Failed); }
            if all(ItemState::Cancelled) { prop_assert_eq!(order, OrderState::Cancelled); }
            // A finished order has only finished items, and the other way round.
            prop_assert_eq!(order.is_final(), items.iter().all(|i| i.is_final()));
            if order == OrderState::Partial {
                prop_assert!(items.contains(&ItemState::Completed));
                prop_assert!(items.contains(&ItemState::Failed));
            }
            // The roll-up does not depend on the items' order.
            let mut reversed = items.clone();
            reversed.reverse();
            prop_assert_eq!(roll_up(&reversed), Some(order));
        }
    }
}
