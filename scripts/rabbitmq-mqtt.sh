#!/usr/bin/env bash
# RabbitMQ's MQTT plugin as the suite's third broker (README, "Brokers"). The machine's Mosquitto
# holds 1883, so the plugin's listeners move to 1885 (MQTT) and 15675 (MQTT over WebSocket, path
# /ws), both on 127.0.0.1. Idempotent: when both answer, nothing is touched.
set -euo pipefail

CONF=/etc/rabbitmq/rabbitmq.conf
MQTT_PORT=1885
WS_PORT=15675

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if answers "$MQTT_PORT" && answers "$WS_PORT"; then exit 0; fi

touch "$CONF"
# A setting already there (ours or the admin's) is left as it is.
add() { grep -q "^$1 *=" "$CONF" || echo "$1 = $2" >>"$CONF"; }
add mqtt.listeners.tcp.default "127.0.0.1:$MQTT_PORT"
add web_mqtt.tcp.ip 127.0.0.1
add web_mqtt.tcp.port "$WS_PORT"

# --offline writes enabled_plugins without asking the node, which then starts with them.
rabbitmq-plugins enable --offline rabbitmq_mqtt rabbitmq_web_mqtt
# The application environment set at run time does not stick: the listeners come from a restart.
rabbitmqctl stop >/dev/null 2>&1 || true
rabbitmq-server -detached
for _ in $(seq 1 120); do
  if answers "$MQTT_PORT" && answers "$WS_PORT"; then exit 0; fi
  sleep 1
done
echo "rabbitmq-mqtt: RabbitMQ's MQTT listeners did not come up on 127.0.0.1:$MQTT_PORT and :$WS_PORT (see /var/log/rabbitmq)" >&2
exit 1
