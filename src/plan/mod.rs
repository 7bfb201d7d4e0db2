//! Validate a reviewed workbook and say what push and retire would do. (In progress.)
