//! The migration workbook: one layout drives the writer and the reader. (In progress.)
