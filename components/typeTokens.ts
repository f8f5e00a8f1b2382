/** Pulumi type tokens of the resources a tenant stack declares, for the tools that read plans and previews. */
export const TYPE_TOKENS = {
    stack: "pulumi:pulumi:Stack",
    container: "docker:index/container:Container",
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    remoteImage: "docker:index/remoteImage:RemoteImage",
} as const;
