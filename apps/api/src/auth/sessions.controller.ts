import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import type { LiveSession } from '@tlp-broker/persistence';
import { ApiView } from '../common/api-view';
import { CurrentSession, Public, SignedIn } from './auth.decorators';
import { clearedSessionCookie, SESSION_COOKIE, sessionCookie } from './session-cookie';
import { SessionView, TotpEnrolmentView } from './session-view';
import { SignInDto, TotpCodeDto } from './sessions.dto';
import { SessionService } from './sessions.service';
import { SignInService, TooManySignIns } from './sign-in.service';
import { TotpEnrolmentService } from './totp-enrolment.service';

/**
 * The console's sign-in: a session cookie for a member's name, password and authenticator code.
 * Every route but sign-in needs the cookie (and, for POST, the session's X-CSRF-Token header).
 */
@ApiTags('auth')
@Controller('auth')
export class SessionsController {
  /** The cookie is Secure whenever the broker is reached over https. */
  private readonly secure: boolean;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly signing: SignInService,
    private readonly sessions: SessionService,
    private readonly enrolment: TotpEnrolmentService,
  ) {
    this.secure = config.http.publicUrl.startsWith('https:');
  }

  @Post('sign-in')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'sign in to the console',
    description: `Sets the ${SESSION_COOKIE} cookie. A member without an authenticator gets a session in stage \`enrol\`, which may only enrol one; after that the code is required. Every failure is answered 401 alike; too many failures for a name or from an address, 429 with Retry-After.`,
  })
  @ApiView('SessionView')
  async signIn(
    @Body() dto: SignInDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionView> {
    const address = request.ip ?? request.socket.remoteAddress ?? '';
    try {
      const { token, session } = await this.signing.signIn({ ...dto, code: dto.code ?? null, address });
      response.setHeader('Set-Cookie', sessionCookie(token, this.secure));
      return this.sessions.view(session);
    } catch (error) {
      if (error instanceof TooManySignIns) response.setHeader('Retry-After', String(error.retryAfter));
      throw error;
    }
  }

  @Get('session')
  @SignedIn()
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: 'the current session (401 when not signed in)' })
  @ApiView('SessionView')
  session(@CurrentSession() session: LiveSession): SessionView {
    return this.sessions.view(session);
  }

  @Post('sign-out')
  @SignedIn()
  @HttpCode(204)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: 'end this session' })
  async signOut(@CurrentSession() session: LiveSession, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.signing.signOut(session);
    response.setHeader('Set-Cookie', clearedSessionCookie(this.secure));
  }

  @Post('sign-out-everywhere')
  @SignedIn()
  @HttpCode(204)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: "end every one of the member's sessions, this one included" })
  async signOutEverywhere(
    @CurrentSession() session: LiveSession,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.signing.signOutEverywhere(session);
    response.setHeader('Set-Cookie', clearedSessionCookie(this.secure));
  }

  @Post('totp/enrolment')
  @SignedIn()
  @HttpCode(200)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({
    summary: 'a new authenticator secret',
    description:
      'For a member without an authenticator; 409 once one is enrolled. The secret is enrolled by POST /auth/totp/confirm with its current code.',
  })
  @ApiView('TotpEnrolmentView')
  startEnrolment(@CurrentSession() session: LiveSession): Promise<TotpEnrolmentView> {
    return this.enrolment.start(session);
  }

  @Post('totp/confirm')
  @SignedIn()
  @HttpCode(200)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: 'enrol the authenticator with its current code: the session becomes a full one' })
  @ApiView('SessionView')
  confirmEnrolment(@CurrentSession() session: LiveSession, @Body() dto: TotpCodeDto): Promise<SessionView> {
    return this.enrolment.confirm(session, dto.code);
  }
}
