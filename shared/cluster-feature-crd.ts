/**
 * The `ClusterFeature` custom resource (`clusterfeatures.tether.dev`): a spoke declares that it
 * offers a feature (for example that it may act as a source of resource sync) by creating one on
 * its own cluster. The import manifest installs the definition; the agent reports each object as a
 * claim `feature.tether.dev/<spec.featureName>` valued with the canonical JSON of its labels.
 *
 * @example
 * apiVersion: tether.dev/v1alpha1
 * kind: ClusterFeature
 * metadata: {name: secrets-source, labels: {tier: gold}}
 * spec: {featureName: secrets-source}
 */

/** API group of the ClusterFeature kind. */
export const CLUSTER_FEATURE_GROUP = 'tether.dev';
/** apiVersion of ClusterFeature objects. */
export const CLUSTER_FEATURE_API_VERSION = 'tether.dev/v1alpha1';
/** Kind name. */
export const CLUSTER_FEATURE_KIND = 'ClusterFeature';
/** Resource name in URLs. */
export const CLUSTER_FEATURE_PLURAL = 'clusterfeatures';
/** The CRD's name. */
export const CLUSTER_FEATURE_CRD = `${CLUSTER_FEATURE_PLURAL}.${CLUSTER_FEATURE_GROUP}`;

/** The CustomResourceDefinition of ClusterFeature (cluster-scoped, `spec.featureName` required). */
export function clusterFeatureCrd(labels: Record<string, string> = {}): Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
} {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CLUSTER_FEATURE_CRD, labels },
    spec: {
      group: CLUSTER_FEATURE_GROUP,
      scope: 'Cluster',
      names: { kind: CLUSTER_FEATURE_KIND, listKind: 'ClusterFeatureList', plural: CLUSTER_FEATURE_PLURAL, singular: 'clusterfeature' },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          additionalPrinterColumns: [{ name: 'Feature', type: 'string', jsonPath: '.spec.featureName' }],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'Declares that this cluster offers a feature; the Tether agent reports it to the hub as a claim.',
              required: ['spec'],
              properties: {
                spec: {
                  type: 'object',
                  required: ['featureName'],
                  properties: {
                    featureName: {
                      type: 'string',
                      description: 'The feature, reported as the claim feature.tether.dev/<featureName>.',
                      minLength: 1,
                      maxLength: 63,
                      pattern: '^[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$',
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
