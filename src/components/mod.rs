//! Components: each only draws what the connection hook gives it (issue #6).
