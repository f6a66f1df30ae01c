module switchboard.dev/prometheus-config-reloader

go 1.26
