//! Arabic contextual shaping (placeholder).
