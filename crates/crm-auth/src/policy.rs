//! The permission table: every role, and what it may do in every domain. This is the one
//! place permissions are declared; the generic router enforces it on every resource route.

use tmf_apis::{AccessPolicy, Actor, Domain, Operation};

/// The roles a token can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Customer service representative: reads everything; creates and changes parties,
    /// customers, party roles, accounts (opened while onboarding a customer), interactions,
    /// orders and tickets.
    Csr,
    /// A CSR who may also approve and delete.
    Supervisor,
    /// A billing system: pushes bills and bill items, raises disputes, reads accounts.
    BillingSystem,
    /// An integration bus: reads everything, registers event listeners.
    Integration,
    /// Everything.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Csr,
        Role::Supervisor,
        Role::BillingSystem,
        Role::Integration,
        Role::Admin,
    ];

    /// The role's name in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Csr => "csr",
            Role::Supervisor => "supervisor",
            Role::BillingSystem => "billing-system",
            Role::Integration => "integration",
            Role::Admin => "admin",
        }
    }

    /// Reads a role name; unknown names grant nothing.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Whether this role may perform `operation` in `domain`.
    pub fn allows(self, domain: Domain, operation: Operation) -> bool {
        use Domain::*;
        use Operation::*;
        match self {
            Role::Admin => true,
            Role::Csr => match operation {
                Read => true,
                Create | Update => matches!(
                    domain,
                    Party | Customer | PartyRole | Account | Interaction | Order | Ticket
                ),
                Delete | Approve => false,
            },
            Role::Supervisor => match operation {
                Approve => matches!(domain, Order | Ticket | Dispute | Adjustment),
                Delete => matches!(
                    domain,
                    Party | Customer | PartyRole | Account | Interaction | Order | Ticket
                ),
                _ => Role::Csr.allows(domain, operation),
            },
            Role::BillingSystem => matches!(
                (domain, operation),
                (Bill, Read | Create | Update)
                    | (Dispute, Read | Create)
                    | (Account | Adjustment, Read)
            ),
            // Operators' systems: listeners on the hubs; the product catalog, which an
            // operator's product lifecycle system maintains; orders, which order management
            // and fulfilment systems place and move; the inventory they load and correct;
            // trouble tickets, which network assurance raises and works on.
            Role::Integration => match operation {
                Read => true,
                Create => matches!(domain, Hub | Catalog | Order | Inventory | Ticket),
                Update => matches!(domain, Catalog | Order | Inventory | Ticket),
                Delete => domain == Hub,
                Approve => false,
            },
        }
    }
}

/// The role-based [`AccessPolicy`]: an actor may do what any of its roles allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct RolePolicy;

impl AccessPolicy for RolePolicy {
    fn permits(&self, actor: &Actor, domain: Domain, operation: Operation) -> bool {
        actor
            .roles
            .iter()
            .filter_map(|name| Role::parse(name))
            .any(|role| role.allows(domain, operation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[&str]) -> Actor {
        Actor {
            subject: "u".into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn the_table_says_what_the_issue_says() {
        let policy = RolePolicy;
        assert!(policy.permits(&actor(&["csr"]), Domain::Customer, Operation::Update));
        assert!(!policy.permits(&actor(&["csr"]), Domain::Customer, Operation::Delete));
        assert!(policy.permits(&actor(&["supervisor"]), Domain::Customer, Operation::Delete));
        assert!(policy.permits(
            &actor(&["supervisor"]),
            Domain::Adjustment,
            Operation::Approve
        ));
        assert!(!policy.permits(&actor(&["billing-system"]), Domain::Party, Operation::Read));
        assert!(policy.permits(&actor(&["billing-system"]), Domain::Bill, Operation::Create));
        assert!(policy.permits(
            &actor(&["billing-system"]),
            Domain::Account,
            Operation::Read
        ));
        assert!(policy.permits(&actor(&["integration"]), Domain::Hub, Operation::Create));
        assert!(!policy.permits(&actor(&["integration"]), Domain::Party, Operation::Create));
        assert!(policy.permits(&actor(&["admin"]), Domain::Sla, Operation::Delete));
        assert!(!policy.permits(&actor(&["root", ""]), Domain::Party, Operation::Read));
        assert!(policy.permits(
            &actor(&["integration", "csr"]),
            Domain::Party,
            Operation::Create
        ));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
