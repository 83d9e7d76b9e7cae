package io.konveyor.forklift.openshift

# Inventory text (names, formats) as it is put into an assessment: double quotes become
# single ones, backslashes and control characters "?", anything that is not a string "?".
# Assessments are built with concat, not sprintf: rego-cpp (the embedded engine) quotes a
# computed string that sprintf inserts and returns neither quotes nor backslashes escaped.
concern_text(value) := regex.replace(regex.replace(value, `"`, "'"), `[\\[:cntrl:]]`, "?") if is_string(value)

concern_text(value) := "?" if not is_string(value)
