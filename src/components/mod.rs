pub mod campaigns;
pub mod error_banner;
pub mod feedback;
pub mod field;
pub mod interactions;
pub mod nav;
pub mod purchases;
pub mod related;
