//! The TMF622 lifecycles of a product order and of its items.
//!
//! An order moves `acknowledged → inProgress → completed | failed | partial`, may be paused
//! (`pending`, `held`) and resumed, may be `rejected` before work starts, and is cancelled only
//! through a `cancelProductOrder` (`assessingCancellation → pendingCancellation → cancelled`),
//! which a completed (or otherwise finished) order refuses. An order's state follows from its
//! items' states ([`roll_up`]).

use std::fmt;

use tmf_apis::TmfError;

/// `ProductOrderStateType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderState {
    /// Received and checked.
    Acknowledged,
    /// Refused before any work.
    Rejected,
    /// Waiting for information.
    Pending,
    /// Paused by the operator.
    Held,
    /// Being fulfilled.
    InProgress,
    /// Cancelled.
    Cancelled,
    /// Every item fulfilled.
    Completed,
    /// No item fulfilled.
    Failed,
    /// Some items fulfilled, some failed.
    Partial,
    /// A cancellation request is being assessed.
    AssessingCancellation,
    /// A cancellation was accepted and is being carried out.
    PendingCancellation,
}

/// `ProductOrderItemStateType`: the order's states except `partial`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemState {
    /// Received and checked.
    Acknowledged,
    /// Refused before any work.
    Rejected,
    /// Waiting for information.
    Pending,
    /// Paused.
    Held,
    /// Being fulfilled.
    InProgress,
    /// Cancelled.
    Cancelled,
    /// Fulfilled.
    Completed,
    /// Could not be fulfilled.
    Failed,
    /// A cancellation request is being assessed.
    AssessingCancellation,
    /// A cancellation was accepted and is being carried out.
    PendingCancellation,
}

macro_rules! spelled {
    ($type:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $type {
            /// Every state.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The spec's spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Reads the spec's spelling.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|state| state.as_str() == text)
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled!(OrderState {
    Acknowledged => "acknowledged",
    Rejected => "rejected",
    Pending => "pending",
    Held => "held",
    InProgress => "inProgress",
    Cancelled => "cancelled",
    Completed => "completed",
    Failed => "failed",
    Partial => "partial",
    AssessingCancellation => "assessingCancellation",
    PendingCancellation => "pendingCancellation",
});

spelled!(ItemState {
    Acknowledged => "acknowledged",
    Rejected => "rejected",
    Pending => "pending",
    Held => "held",
    InProgress => "inProgress",
    Cancelled => "cancelled",
    Completed => "completed",
    Failed => "failed",
    AssessingCancellation => "assessingCancellation",
    PendingCancellation => "pendingCancellation",
});

impl OrderState {
    /// The states a client may move the order to directly (a `PATCH` of `state`). A
    /// cancellation is entered through `cancelProductOrder` only; once in it, the order is
    /// moved on by `PATCH` (accepted, declined, carried out).
    pub fn next(self) -> &'static [OrderState] {
        use OrderState::*;
        match self {
            Acknowledged => &[InProgress, Pending, Held, Rejected],
            InProgress => &[Completed, Failed, Partial, Pending, Held],
            Pending | Held => &[InProgress, Pending, Held],
            // A cancellation request is accepted (pending) or declined (back to work).
            AssessingCancellation => &[PendingCancellation, InProgress],
            PendingCancellation => &[Cancelled],
            Rejected | Cancelled | Completed | Failed | Partial => &[],
        }
    }

    /// Whether the order is being cancelled.
    pub fn is_cancelling(self) -> bool {
        matches!(
            self,
            OrderState::AssessingCancellation | OrderState::PendingCancellation
        )
    }

    /// Whether nothing can happen to the order any more.
    pub fn is_final(self) -> bool {
        use OrderState::*;
        matches!(self, Rejected | Cancelled | Completed | Failed | Partial)
    }

    /// Whether a cancellation may be requested.
    pub fn is_cancellable(self) -> bool {
        use OrderState::*;
        matches!(self, Acknowledged | Pending | Held | InProgress)
    }

    /// Checks a client's move from `self` to `to` (staying put is no move); a 409 listing
    /// the allowed next states otherwise.
    pub fn check_move(self, to: OrderState) -> Result<(), TmfError> {
        if self == to || self.next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        Err(TmfError::illegal_transition(
            "ProductOrder",
            self.as_str(),
            to.as_str(),
            &allowed,
        ))
    }

    /// The state items take when the order is moved to `self` as a whole, if they follow:
    /// pausing, resuming and finishing an order apply to each unfinished item.
    pub fn item_state(self) -> Option<ItemState> {
        use OrderState::*;
        Some(match self {
            Acknowledged => ItemState::Acknowledged,
            Rejected => ItemState::Rejected,
            Pending => ItemState::Pending,
            Held => ItemState::Held,
            InProgress => ItemState::InProgress,
            Cancelled => ItemState::Cancelled,
            Completed => ItemState::Completed,
            Failed => ItemState::Failed,
            AssessingCancellation => ItemState::AssessingCancellation,
            PendingCancellation => ItemState::PendingCancellation,
            Partial => return None,
        })
    }
}

impl ItemState {
    /// The states an item may be moved to directly.
    pub fn next(self) -> &'static [ItemState] {
        use ItemState::*;
        match self {
            Acknowledged => &[InProgress, Pending, Held, Rejected],
            InProgress => &[Completed, Failed, Pending, Held],
            Pending | Held => &[InProgress, Pending, Held],
            Rejected
            | Cancelled
            | Completed
            | Failed
            | AssessingCancellation
            | PendingCancellation => &[],
        }
    }

    /// Whether nothing can happen to the item any more.
    pub fn is_final(self) -> bool {
        use ItemState::*;
        matches!(self, Rejected | Cancelled | Completed | Failed)
    }

    /// Checks a move of item `item` from `self` to `to`; a 409 naming the item otherwise.
    pub fn check_move(self, item: &str, to: ItemState) -> Result<(), TmfError> {
        if self == to || self.next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        Err(TmfError::illegal_transition(
            &format!("productOrderItem '{item}'"),
            self.as_str(),
            to.as_str(),
            &allowed,
        ))
    }
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
) -> Result<(OrderState, Vec<ItemState>), TmfError> {
    let mut after = items.to_vec();
    for ((state, request), name) in after.iter_mut().zip(item_requests).zip(names) {
        if let Some(to) = request {
            state.check_move(name, *to)?;
            *state = *to;
        }
    }
    let Some(to) = requested.filter(|to| *to != order) else {
        let rolled = roll_up(&after).unwrap_or(order);
        if rolled != order && (order.is_cancelling() || rolled.is_cancelling()) {
            return Err(TmfError::illegal_transition(
                "ProductOrder",
                order.as_str(),
                rolled.as_str(),
                &[],
            ));
        }
        return Ok((rolled, after));
    };
    order.check_move(to)?;
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
        Some(rolled) if rolled != to => Err(TmfError::conflict(format!(
            "the order cannot be '{to}': its items add up to '{rolled}'"
        ))),
        _ => Ok((to, after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn order_state() -> impl Strategy<Value = OrderState> {
        proptest::sample::select(OrderState::ALL)
    }

    fn item_state() -> impl Strategy<Value = ItemState> {
        proptest::sample::select(ItemState::ALL)
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
            assert!(from.check_move(to).is_ok(), "{from} → {to}");
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
            assert!(from.check_move(to).is_err(), "{from} → {to}");
        }
    }

    #[test]
    fn spellings_round_trip() {
        for state in OrderState::ALL {
            assert_eq!(OrderState::parse(state.as_str()), Some(*state));
        }
        for state in ItemState::ALL {
            assert_eq!(ItemState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(ItemState::parse("partial"), None);
        assert_eq!(OrderState::parse("InProgress"), None);
    }

    proptest! {
        #[test]
        fn a_move_is_allowed_exactly_when_the_table_says(from in order_state(), to in order_state()) {
            let allowed = from == to || from.next().contains(&to);
            prop_assert_eq!(from.check_move(to).is_ok(), allowed);
            if let Err(error) = from.check_move(to) {
                prop_assert_eq!(error.status().as_u16(), 409);
                prop_assert!(error.message.contains(from.as_str()));
            }
        }

        #[test]
        fn final_states_have_no_way_out(from in order_state(), to in order_state()) {
            if from.is_final() && from != to {
                prop_assert!(from.check_move(to).is_err());
            }
        }

        #[test]
        fn a_cancellation_is_entered_only_through_a_cancel_request(from in order_state()) {
            use OrderState::*;
            for to in [Cancelled, AssessingCancellation, PendingCancellation] {
                if from != to && !from.is_cancelling() {
                    prop_assert!(from.check_move(to).is_err());
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
                        prop_assert!(order.check_move(requested).is_ok());
                        prop_assert_eq!(to, requested);
                    }
                    for ((before, after), request) in items.iter().zip(&after).zip(requests) {
                        if before.is_final() {
                            prop_assert_eq!(before, after, "a finished item never changes");
                        }
                        if let Some(request) = request {
                            prop_assert!(before.check_move("1", *request).is_ok());
                            prop_assert_eq!(after, request);
                        }
                    }
                    if !to.is_cancelling() && to != OrderState::Cancelled {
                        prop_assert_eq!(roll_up(&after), Some(to), "the order agrees with its items");
                    }
                }
                Err(error) => prop_assert_eq!(error.status().as_u16(), 409),
            }
        }

        #[test]
        fn item_moves_follow_their_table(from in item_state(), to in item_state()) {
            let allowed = from == to || from.next().contains(&to);
            prop_assert_eq!(from.check_move("1", to).is_ok(), allowed);
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
