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
    /// The states a client may move the order to directly (a `PATCH` of `state`). The
    /// cancellation states are reached through `cancelProductOrder` only.
    pub fn next(self) -> &'static [OrderState] {
        use OrderState::*;
        match self {
            Acknowledged => &[InProgress, Pending, Held, Rejected],
            InProgress => &[Completed, Failed, Partial, Pending, Held],
            Pending | Held => &[InProgress, Pending, Held],
            Rejected
            | Cancelled
            | Completed
            | Failed
            | Partial
            | AssessingCancellation
            | PendingCancellation => &[],
        }
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
        fn no_direct_move_cancels(from in order_state()) {
            use OrderState::*;
            for to in [Cancelled, AssessingCancellation, PendingCancellation] {
                if from != to {
                    prop_assert!(from.check_move(to).is_err());
                }
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
