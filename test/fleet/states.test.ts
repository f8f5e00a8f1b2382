import { describe, expect, it } from "vitest";
import type { ContainerState } from "../../stacks/fleet/ports.js";
import { deriveTenantState, type StateFacts, type TenantState } from "../../stacks/fleet/states.js";

const SERVICES = ["db", "kong", "auth"];
const all = (state: ContainerState) => Object.fromEntries(SERVICES.map((s) => [s, state]));
const ok = { kind: "update", result: "succeeded" } as const;

const cases: Array<[string, Omit<StateFacts, "ref" | "expectedServices">, TenantState, string]> = [
    ["never deployed", { paused: false, services: {} }, "PROVISIONING", "stack created, not deployed yet: run fleet up t1"],
    ["first update running, no containers yet", { paused: false, lastOperation: { kind: "update", result: "in-progress" }, services: {} }, "PROVISIONING", "update in progress"],
    ["update running, Docker unreachable", { paused: false, lastOperation: { kind: "update", result: "in-progress" } }, "PROVISIONING", "update in progress"],
    ["update running, containers coming up", { paused: false, lastOperation: { kind: "update", result: "in-progress" }, services: { db: "healthy" } }, "STARTING", "update in progress; 1 of 3 containers exist"],
    ["last update failed", { paused: false, lastOperation: { kind: "update", result: "failed" }, services: all("healthy") }, "FAILED", "last update failed: run fleet up t1 to retry (fleet preview t1 shows what it would do)"],
    ["all healthy", { paused: false, lastOperation: ok, services: all("healthy") }, "ACTIVE", "every container is running"],
    ["running without health checks counts as up", { paused: false, lastOperation: ok, services: { db: "healthy", kong: "running", auth: "running" } }, "ACTIVE", "every container is running"],
    ["one still starting", { paused: false, lastOperation: ok, services: { db: "healthy", kong: "starting", auth: "stopped" } }, "STARTING", "waiting for health: kong"],
    ["one unhealthy", { paused: false, lastOperation: ok, services: { db: "unhealthy", kong: "starting", auth: "healthy" } }, "FAILED", "unhealthy: db"],
    ["paused and all stopped", { paused: true, lastOperation: ok, services: all("stopped") }, "PAUSED", "paused: every container is stopped; data is kept"],
    ["paused, containers removed", { paused: true, lastOperation: ok, services: {} }, "PAUSED", "paused: every container is stopped; data is kept"],
    ["paused but one still up", { paused: true, lastOperation: ok, services: { db: "healthy", kong: "stopped", auth: "stopped" } }, "FAILED", "marked paused but still up: db; run fleet pause t1 again"],
    ["stopped without being paused", { paused: false, lastOperation: ok, services: { db: "healthy", kong: "stopped" } }, "FAILED", "stopped: kong; missing: auth; run fleet resume t1 (stopped) or fleet up t1 (missing)"],
    ["no containers at all", { paused: false, lastOperation: ok, services: {} }, "FAILED", "no containers found on the Docker host: run fleet up t1"],
    ["Docker unreachable after success", { paused: false, lastOperation: ok }, "UNKNOWN", "the Docker host cannot be reached, so container states are unknown"],
    ["refresh succeeded counts like update", { paused: false, lastOperation: { kind: "refresh", result: "succeeded" }, services: all("healthy") }, "ACTIVE", "every container is running"],
];

describe("tenant state derivation", () => {
    it.each(cases)("%s", (_name, facts, state, reason) => {
        expect(deriveTenantState({ ref: "t1", expectedServices: SERVICES, ...facts })).toEqual({ state, reason });
    });
});
