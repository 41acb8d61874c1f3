-- GET the reader's own registrations (ten, with tickets).
wrk.headers["Authorization"] = "Bearer " .. reader_token
