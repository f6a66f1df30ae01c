module switchboard.dev/http-test-server

go 1.26
