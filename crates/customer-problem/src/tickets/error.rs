//! Why a ticket write is refused, in the ticket domain's words, and the one place those
//! reasons become TMF errors.

use rust_decimal::Decimal;
use sid_model::TroubleTicketStatusType as Status;
use tmf_apis::TmfError;

use super::ESCALATION_LEVEL;

/// Why a trouble ticket write is refused.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// A severity the settings do not list.
    #[error("'severity': '{given}' is not one of {allowed}")]
    UnknownSeverity {
        /// The severity given.
        given: String,
        /// The configured ones, listed.
        allowed: String,
    },
    /// A priority the settings do not list.
    #[error("'priority': '{given}' is not one of {allowed}")]
    UnknownPriority {
        /// The priority given.
        given: String,
        /// The configured ones, listed.
        allowed: String,
    },
    /// A relationship that names no ticket.
    #[error("'troubleTicketRelationship[{index}].id': the related ticket's id is required")]
    RelationshipWithoutId {
        /// The relationship's position.
        index: usize,
    },
    /// A relationship of a ticket to itself.
    #[error("'troubleTicketRelationship[{index}].id': a ticket cannot be related to itself")]
    RelatedToItself {
        /// The relationship's position.
        index: usize,
    },
    /// An attachment larger than the settings allow.
    #[error(
        "'attachment[{index}].size': {amount} {units} is larger than the {limit} bytes allowed"
    )]
    AttachmentTooLarge {
        /// The attachment's position.
        index: usize,
        /// Its size, as given.
        amount: Decimal,
        /// The units of the size, as given.
        units: String,
        /// The largest size allowed, in bytes.
        limit: u64,
    },
    /// A new ticket in another status than `acknowledged`.
    #[error("'status': a ticket starts 'acknowledged', not '{given}'")]
    NotStartingAcknowledged {
        /// The status given.
        given: Status,
    },
    /// A client setting or changing the escalation level, which the escalation job records.
    #[error("'troubleTicketCharacteristic': '{ESCALATION_LEVEL}' is set by the server")]
    EscalationLevelGiven,
    /// A parent closing while one of its children is open.
    #[error(
        "TroubleTicket '{ticket}' cannot be closed while its child ticket '{child}' is '{status}'"
    )]
    OpenChild {
        /// The parent.
        ticket: String,
        /// The open child.
        child: String,
        /// The child's status.
        status: String,
    },
    /// A ticket of a type another domain owns ("Bill Dispute") changing to another type: its
    /// owner's records (a disputed balance, a hold) would no longer follow it.
    #[error(
        "'ticketType': a '{owned}' ticket stays one (its amounts and holds follow its type); cancel or close it and raise a '{requested}' ticket"
    )]
    OwnedTypeChanged {
        /// The owned type it has.
        owned: String,
        /// The type asked for.
        requested: String,
    },
    /// The contact a ticket was logged from could not be recorded as an interaction; the
    /// interaction's own error, with its status.
    #[error("recording the contact as a party interaction: {}", .0.message)]
    Contact(TmfError),
    /// Refused by the store or the lifecycle, already stated as a TMF error (a lost race is a
    /// 409, an outage a 503, a move the lifecycle forbids a 409): kept as it is.
    #[error(transparent)]
    Store(#[from] TmfError),
}

impl From<TicketError> for TmfError {
    fn from(error: TicketError) -> Self {
        let message = error.to_string();
        match error {
            TicketError::UnknownSeverity { .. }
            | TicketError::UnknownPriority { .. }
            | TicketError::RelationshipWithoutId { .. }
            | TicketError::RelatedToItself { .. }
            | TicketError::AttachmentTooLarge { .. }
            | TicketError::NotStartingAcknowledged { .. }
            | TicketError::EscalationLevelGiven
            | TicketError::OwnedTypeChanged { .. } => TmfError::invalid_value(message),
            TicketError::OpenChild { .. } => TmfError::conflict(message),
            TicketError::Contact(error) => TmfError::new(error.code, message),
            TicketError::Store(error) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmf_apis::ErrorCode;

    #[test]
    fn errors_of_other_layers_keep_their_status() {
        let conflict = TmfError::conflict("PartyInteraction 'x' was changed concurrently; retry");
        let store: TmfError = TicketError::from(conflict.clone()).into();
        assert_eq!(store, conflict);
        let contact: TmfError = TicketError::Contact(TmfError::new(
            ErrorCode::Unavailable,
            "the store is busy; retry the request",
        ))
        .into();
        assert_eq!(contact.code, ErrorCode::Unavailable);
        assert_eq!(
            contact.message,
            "recording the contact as a party interaction: the store is busy; retry the request"
        );
    }

    #[test]
    fn each_rule_has_its_status() {
        let open: TmfError = TicketError::OpenChild {
            ticket: "p".into(),
            child: "c".into(),
            status: "inProgress".into(),
        }
        .into();
        assert_eq!(open.code, ErrorCode::Conflict);
        let level: TmfError = TicketError::EscalationLevelGiven.into();
        assert_eq!(level.code, ErrorCode::InvalidValue);
        assert_eq!(
            level.message,
            "'troubleTicketCharacteristic': 'escalationLevel' is set by the server"
        );
    }
}
