"""The s437(1) step of elective home education: serving the notice from an EHE record (schools.ehe) as a school
attendance order at its NOTICE stage, linked back to the record. Schools never imports legal; this package imports
schools.ehe."""
