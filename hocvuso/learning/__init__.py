"""Skills framework, courses, lessons, question bank, assessments scored on the server, progress, xAPI."""
