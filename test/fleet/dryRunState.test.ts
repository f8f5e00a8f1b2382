/** The memory engine's state file (`fleet --engine memory` dry runs) never holds a secret in plaintext. */
import { describe, expect, it } from "vitest";
import { MemoryEngine } from "../../stacks/fleet/memoryEngine.js";
import { tenantConfigFromStack } from "../../stacks/fleet/stackConfig.js";

describe("memory engine snapshot", () => {
    it("keeps secret settings opaque in the saved state, deployed config included, and still valid when read back", async () => {
        const engine = new MemoryEngine();
        const password = "hunter2-smtp-password";
        await engine.createStack("acme", { authEmailAutoconfirm: true, smtpHost: "smtp.example.com", smtpUser: "mailer", smtpPassword: password }, ["smtpPassword"]);
        await engine.up("acme");
        const saved = JSON.stringify(engine.snapshot());
        expect(saved).not.toContain(password);
        expect(saved).toContain("mailer");
        const restored = MemoryEngine.fromSnapshot(JSON.parse(saved) as ReturnType<MemoryEngine["snapshot"]>);
        expect(restored.rawConfig("acme").smtpPassword?.secret).toBe(true);
        const restoredConfig = await restored.getConfig("acme");
        expect(() => tenantConfigFromStack("acme", restoredConfig)).not.toThrow();
    });
});
