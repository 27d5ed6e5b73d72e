pub mod coming_soon;
pub mod customer_card;
pub mod customer_edit;
pub mod customers;
pub mod dashboard;
pub mod import_export;
pub mod settings;
pub mod tiers;
