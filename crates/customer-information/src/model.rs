//! Business rules of the customer information domain, free of storage and HTTP. The customer
//! and account lifecycles are the SID model's (`sid_model::CustomerStatus`,
//! `sid_model::AccountState`, each a `sid_model::Lifecycle`).

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
mod tests {
    use super::*;

    #[test]
    fn channel_spellings() {
        assert_eq!(channel("E-mail"), Some("email"));
        assert_eq!(channel("SMS"), Some("sms"));
        assert_eq!(channel("pigeon"), None);
    }
}
