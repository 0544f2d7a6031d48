import { Fn, Validations } from 'aws-cdk-lib';
import { ApiMapping, DomainName, type HttpApi, type IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
  type IOrigin,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin, HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IFunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Custom domain names of the hub. DNS records are yours to create (see the construct's outputs). */
export interface HubDomainOptions {
  /** Name of the admin API and console (and of the agent API in the `HttpApi` profile), e.g. `tether.example.com`. */
  readonly domainName: string;
  /**
   * ACM certificate of {@link domainName}: in the stack's region for an API Gateway custom domain;
   * in us-east-1 when {@link HubEdgeProps.webAclArn} puts CloudFront in front (CloudFront's rule).
   */
  readonly certificate: ICertificate;
  /** `FunctionUrl` profile: name of the agent endpoint, served by CloudFront in front of the Function URL. */
  readonly agentDomainName?: string;
  /** ACM certificate of {@link agentDomainName}, in us-east-1 (CloudFront's rule). */
  readonly agentCertificate?: ICertificate;
}

/** Properties of {@link HubEdge}. */
export interface HubEdgeProps {
  readonly httpApi: HttpApi;
  readonly stage: IHttpStage;
  /** The agent function's URL in the `FunctionUrl` profile. */
  readonly functionUrl?: IFunctionUrl;
  readonly domain?: HubDomainOptions;
  /** ARN of an AWS WAF web ACL with scope CLOUDFRONT (created in us-east-1). */
  readonly webAclArn?: string;
}

/**
 * What stands in front of the hub's endpoints. HTTP APIs cannot be associated with AWS WAF and a
 * Function URL has no custom domain, so:
 * - without a web ACL, a `domain` maps the HTTP API with an API Gateway custom domain, and the
 *   agent Function URL (if any) gets a CloudFront distribution with `agentDomainName`;
 * - with a web ACL, a CloudFront distribution carrying the ACL is put in front of the HTTP API and
 *   one in front of the Function URL, and the domain names go on those distributions.
 * Nothing is cached: every request reaches the hub with its Authorization header and body.
 */
export class HubEdge extends Construct {
  /** Base URL of the admin API and console, when the edge changes it. */
  readonly apiUrl?: string;
  /** Base URL agents use, when the edge changes it. */
  readonly agentUrl?: string;
  /** The CloudFront distributions created (api, agent). */
  readonly distributions: Distribution[] = [];
  /** The API Gateway custom domain, when one is created. */
  readonly apiDomain?: DomainName;

  constructor(scope: Construct, id: string, props: HubEdgeProps) {
    super(scope, id);
    const { domain, webAclArn } = props;
    if (webAclArn !== undefined) {
      const host = Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint));
      const api = this.distribution('ApiDistribution', new HttpOrigin(host, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }), {
        webAclArn,
        domainName: domain?.domainName,
        certificate: domain?.certificate,
      });
      this.apiUrl = domain ? `https://${domain.domainName}` : `https://${api.distributionDomainName}`;
    } else if (domain) {
      this.apiDomain = new DomainName(this, 'ApiDomain', { domainName: domain.domainName, certificate: domain.certificate });
      new ApiMapping(this, 'ApiMapping', { api: props.httpApi, domainName: this.apiDomain, stage: props.stage });
      this.apiUrl = `https://${domain.domainName}`;
    }
    if (props.functionUrl && (webAclArn !== undefined || domain?.agentDomainName !== undefined)) {
      const agent = this.distribution('AgentDistribution', new FunctionUrlOrigin(props.functionUrl), {
        webAclArn,
        domainName: domain?.agentDomainName,
        certificate: domain?.agentCertificate,
      });
      this.agentUrl = domain?.agentDomainName ? `https://${domain.agentDomainName}` : `https://${agent.distributionDomainName}`;
    }
  }

  private distribution(id: string, origin: IOrigin, opts: { webAclArn?: string; domainName?: string; certificate?: ICertificate }) {
    const distribution = new Distribution(this, id, {
      comment: `Tether ${id === 'ApiDistribution' ? 'admin API and console' : 'agent API'}`,
      defaultBehavior: {
        origin,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        // The hub's answers are per credential and per moment: never cache them.
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // Everything but Host (the origin needs its own), so Authorization, If-None-Match and the query arrive.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      priceClass: PriceClass.PRICE_CLASS_100,
      ...(opts.webAclArn !== undefined && { webAclId: opts.webAclArn }),
      // The TLS policy can only be chosen with a certificate of our own (the default one is fixed).
      ...(opts.domainName !== undefined && {
        domainNames: [opts.domainName],
        certificate: opts.certificate,
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason: "No CloudFront access logs: the hub's own access logs (API stage) and audit log record every request that reaches it.",
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Agents run in stores worldwide; geographic restriction is the web ACL owner’s choice.',
    });
    if (opts.domainName === undefined) {
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default certificate, whose TLS policy cannot be set; give `domain` for TLS 1.2+.',
      });
    }
    if (opts.webAclArn === undefined) {
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'This distribution only gives the Function URL a custom domain; pass webAclArn to attach AWS WAF.',
      });
    }
    this.distributions.push(distribution);
    return distribution;
  }
}
