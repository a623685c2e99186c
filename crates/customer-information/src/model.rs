//! Business rules of the customer information domain, free of storage and HTTP.

/// The lifecycle of a customer (TMF629 `status`): initialized → validated → active →
/// inactive ⇄ active, and closed (final) from any state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerStatus {
    /// Recorded, not yet checked.
    Initialized,
    /// Identity and data checked.
    Validated,
    /// Doing business.
    Active,
    /// Dormant or suspended; may come back.
    Inactive,
    /// Relationship ended; final.
    Closed,
}

impl CustomerStatus {
    /// Every state.
    pub const ALL: [CustomerStatus; 5] = [
        Self::Initialized,
        Self::Validated,
        Self::Active,
        Self::Inactive,
        Self::Closed,
    ];

    /// The state a customer starts in when the client names none.
    pub const INITIAL: CustomerStatus = Self::Initialized;

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initialized => "initialized",
            Self::Validated => "validated",
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Closed => "closed",
        }
    }

    /// Reads a wire value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The states reachable in one step.
    pub fn next(self) -> &'static [CustomerStatus] {
        use CustomerStatus::*;
        match self {
            Initialized => &[Validated, Active, Closed],
            Validated => &[Active, Closed],
            Active => &[Inactive, Closed],
            Inactive => &[Active, Closed],
            Closed => &[],
        }
    }

    /// Whether a customer may be created in this state.
    pub fn may_start_in(self) -> bool {
        matches!(self, Self::Initialized | Self::Validated | Self::Active)
    }

    /// Moves to `to`, or says why not. Staying in the same state is always allowed.
    pub fn transition(self, to: CustomerStatus) -> Result<CustomerStatus, IllegalTransition> {
        if to == self || self.next().contains(&to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }
}

/// A refused lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a customer cannot go from {from:?} to {to:?}")]
pub struct IllegalTransition {
    /// Where it was.
    pub from: CustomerStatus,
    /// Where it was asked to go.
    pub to: CustomerStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_status() -> impl Strategy<Value = CustomerStatus> {
        proptest::sample::select(CustomerStatus::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn a_transition_is_allowed_exactly_when_the_table_says_so(from in any_status(), to in any_status()) {
            let allowed = from == to || from.next().contains(&to);
            prop_assert_eq!(from.transition(to).is_ok(), allowed);
        }

        #[test]
        fn closed_is_final(to in any_status()) {
            prop_assert_eq!(CustomerStatus::Closed.transition(to).is_ok(), to == CustomerStatus::Closed);
        }

        #[test]
        fn any_walk_of_allowed_steps_stays_in_the_machine(steps in proptest::collection::vec(0usize..4, 0..20)) {
            let mut state = CustomerStatus::INITIAL;
            for step in steps {
                let next = state.next();
                if next.is_empty() { break; }
                state = state.transition(next[step % next.len()]).expect("listed steps are allowed");
            }
            prop_assert!(CustomerStatus::ALL.contains(&state));
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for status in CustomerStatus::ALL {
            assert_eq!(CustomerStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CustomerStatus::parse("Active"), None);
    }
}

/// The lifecycle of an account (TMF666 `state`): created → active ⇄ suspended, and closed
/// (final) from any state. Spellings are compared without regard to case (the spec writes
/// `Active`, `Suspended`, `Closed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountState {
    /// Opened, not yet in use.
    Created,
    /// In use.
    Active,
    /// Barred for now (for example for non-payment).
    Suspended,
    /// Ended; final.
    Closed,
}

impl AccountState {
    /// Every state.
    pub const ALL: [AccountState; 4] = [Self::Created, Self::Active, Self::Suspended, Self::Closed];

    /// The state an account starts in when the client names none.
    pub const INITIAL: AccountState = Self::Active;

    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Active => "Active",
            Self::Suspended => "Suspended",
            Self::Closed => "Closed",
        }
    }

    /// Reads a state, whatever its case.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value.trim()))
    }

    /// The states reachable in one step.
    pub fn next(self) -> &'static [AccountState] {
        use AccountState::*;
        match self {
            Created => &[Active, Closed],
            Active => &[Suspended, Closed],
            Suspended => &[Active, Closed],
            Closed => &[],
        }
    }

    /// Whether an account may be created in this state.
    pub fn may_start_in(self) -> bool {
        matches!(self, Self::Created | Self::Active)
    }

    /// Whether the step to `to` is allowed (staying is).
    pub fn allows(self, to: AccountState) -> bool {
        to == self || self.next().contains(&to)
    }
}

/// The kinds of account balance this CRM keeps itself (a client may send others: TMF666
/// types `balanceType` as a free string).
pub const BALANCE_TYPES: [&str; 4] = ["deposit", "disputed", "loyalty", "receivable"];

/// The contact channels this CRM knows, by canonical name (a client may name others:
/// TMF683 types a channel's name as a free string).
pub const CHANNELS: [&str; 7] = ["phone", "shop", "web", "app", "sms", "email", "chat"];

/// Reads a channel name (`E-mail`, `SMS`, `phone`...) as its canonical name.
pub fn channel(name: &str) -> Option<&'static str> {
    let folded: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    CHANNELS.into_iter().find(|c| *c == folded)
}

#[cfg(test)]
mod account_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn account_steps_follow_the_table(from in proptest::sample::select(AccountState::ALL.to_vec()),
                                          to in proptest::sample::select(AccountState::ALL.to_vec())) {
            prop_assert_eq!(from.allows(to), from == to || from.next().contains(&to));
            if from == AccountState::Closed { prop_assert_eq!(from.allows(to), to == AccountState::Closed); }
        }
    }

    #[test]
    fn spellings() {
        assert_eq!(AccountState::parse("active"), Some(AccountState::Active));
        assert_eq!(
            AccountState::parse("SUSPENDED"),
            Some(AccountState::Suspended)
        );
        assert_eq!(AccountState::parse("gone"), None);
        assert_eq!(channel("E-mail"), Some("email"));
        assert_eq!(channel("SMS"), Some("sms"));
        assert_eq!(channel("pigeon"), None);
    }
}
