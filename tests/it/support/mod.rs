//! What the integration tests share, one way each: run the binary
//! ([`bin`]), make workbooks and exports ([`workbook`], [`sample`]), read
//! workbooks and compare grids ([`grid`]), and start the emulator or a
//! scripted Partner Center on 127.0.0.1:0 with clients for them ([`emu`],
//! [`scripted`]).

pub mod bin;
pub mod emu;
pub mod grid;
pub mod sample;
pub mod scripted;
pub mod workbook;
