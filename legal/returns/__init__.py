"""The DfE's annual parental responsibility measures return: figures in SQL, CSV in the return's field names, and
the records behind each figure."""
